/** `npm run skill`: writes skills/plane-bridge/SKILL.md from the tool registry (a test fails when it is stale). */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { bridgeTools } from '../functions/bridge/index.ts'
import { renderSkill, SKILL_PATH } from '../functions/bridge/skill.ts'

mkdirSync(dirname(SKILL_PATH), { recursive: true })
writeFileSync(SKILL_PATH, renderSkill(bridgeTools))
process.stdout.write(`wrote ${SKILL_PATH} (${bridgeTools.length} tools)\n`)
