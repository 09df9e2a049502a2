import { describe, expect, it } from 'vitest'
import { parseCommand } from './command.ts'

const BOT = 'Plane_Bridge_Bot'

describe('parseCommand', () => {
  it('should parse /plane with arguments', () => {
    expect(parseCommand('/plane status', BOT)).toEqual({ command: 'plane', args: ['status'] })
    expect(parseCommand('/plane project Web App', BOT)).toEqual({
      command: 'plane',
      args: ['project', 'Web', 'App'],
    })
  })

  it('should parse a bare /plane', () => {
    expect(parseCommand('/plane', BOT)).toEqual({ command: 'plane', args: [] })
  })

  it('should accept /plane@OurBot comparing the username case-insensitively', () => {
    expect(parseCommand('/plane@Plane_Bridge_Bot status', BOT)?.args).toEqual(['status'])
    expect(parseCommand('/plane@plane_bridge_bot status', BOT)?.args).toEqual(['status'])
    expect(parseCommand('/plane@PLANE_BRIDGE_BOT', '@plane_bridge_bot')).toEqual({
      command: 'plane',
      args: [],
    })
  })

  it('should ignore commands addressed to another bot', () => {
    expect(parseCommand('/plane@OtherBot status', BOT)).toBeNull()
    expect(parseCommand('/plane@Plane_Bridge_Bot2 status', BOT)).toBeNull()
  })

  it('should collapse extra spaces, tabs and newlines between arguments', () => {
    expect(parseCommand('  /plane   agent \t alice\n  now  ', BOT)).toEqual({
      command: 'plane',
      args: ['agent', 'alice', 'now'],
    })
  })

  it('should keep argument case and match the command name case-insensitively', () => {
    expect(parseCommand('/Plane project WebApp', BOT)?.args).toEqual(['project', 'WebApp'])
  })

  it('should reject other commands, longer names and non-commands', () => {
    expect(parseCommand('/start', BOT)).toBeNull()
    expect(parseCommand('/planes status', BOT)).toBeNull()
    expect(parseCommand('/plane_x', BOT)).toBeNull()
    expect(parseCommand('/plane/status', BOT)).toBeNull()
    expect(parseCommand('plane status', BOT)).toBeNull()
    expect(parseCommand('hey /plane status', BOT)).toBeNull()
    expect(parseCommand('', BOT)).toBeNull()
    expect(parseCommand(undefined, BOT)).toBeNull()
  })
})
