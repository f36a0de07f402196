// What `berth status` learns about the guest through the link (LINK_EXEC.status).
import { existsSync } from 'node:fs';
import os from 'node:os';
import type { GuestStatus } from '../../../protocol/src/link.ts';
import { ptyBackend } from './pty-backend.ts';

export function guestStatus(engineSocket: string): GuestStatus {
  return {
    uptimeSeconds: os.uptime(),
    engineSocket: existsSync(engineSocket),
    loadAverage: os.loadavg(),
    memTotalBytes: os.totalmem(),
    memFreeBytes: os.freemem(),
    nodeVersion: process.version,
    pty: ptyBackend().kind,
  };
}
