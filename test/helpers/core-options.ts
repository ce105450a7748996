import type { Limits } from '../../src/net/protocol/frames.ts';
import type { CoreOptions } from '../../src/server/core-state.ts';

/**
 * ChatCore's options for a test: small limits, a fixed epoch, rates high
 * enough that a test's frames never run the bucket dry. A test file passes
 * what its rules are about (a low burst, a short text, operators).
 */
export function testCoreOptions(
  overrides: Partial<Omit<CoreOptions, 'limits'>> = {},
  limits: Partial<Limits> = {},
): CoreOptions {
  return {
    serverName: 'chat/test',
    motd: '',
    defaultRoom: '#general',
    limits: {
      maxFrameBytes: 4096,
      maxTextChars: 100,
      ratePerSecond: 5,
      rateBurst: 1_000,
      maxHistory: 50,
      ...limits,
    },
    maxDevicesPerUser: 4,
    violationBurst: 2,
    violationRefillPerSecond: 1,
    refMemory: 10,
    maxRoomsPerUser: 50,
    maxRooms: 1000,
    maxRoomsCreatedPerHour: 20,
    epoch: 'test-epoch',
    ...overrides,
  };
}
