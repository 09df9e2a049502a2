/** `npm run skill`: writes skills/plane-bridge/SKILL.md from the tool registry (a test fails when it is stale). */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { agentTools } from '../functions/tools/index.ts'
import { renderSkill, SKILL_PATH } from '../functions/tools/skill.ts'

mkdirSync(dirname(SKILL_PATH), { recursive: true })
writeFileSync(SKILL_PATH, renderSkill(agentTools))
process.stdout.write(`wrote ${SKILL_PATH} (${agentTools.length} tools)\n`)
