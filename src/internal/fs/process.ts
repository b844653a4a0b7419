import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'

/** The fields of `/proc/<pid>/stat` after the command name (which may hold spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/**
 * True when a process with this pid is running (EPERM means it exists but is not ours). A zombie
 * (killed, not yet reaped by its parent) is not running: on Linux its state in /proc is `Z`.
 */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const fields = statFields(pid)
  return fields === undefined || fields[0] !== 'Z'
}

/**
 * When the process `pid` started, in clock ticks since boot (field 22 of `/proc/<pid>/stat`), or
 * undefined where /proc is not available. Together with the pid it names one process: a pid that
 * is reused later belongs to a process with another start time.
 */
export function processStartTicks(pid: number): string | undefined {
  // Field 22 of the whole line; the slice starts at field 3 (the state).
  return statFields(pid)?.[19]
}

let bootTimeMs: number | undefined | null = null

/** Boot time (epoch ms) from `/proc/stat`, or undefined where not available. */
function bootTime(): number | undefined {
  if (bootTimeMs === null) {
    try {
      const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))
      bootTimeMs = m ? Number(m[1]) * 1000 : undefined
    } catch {
      bootTimeMs = undefined
    }
  }
  return bootTimeMs
}

/**
 * When the process `pid` started (epoch ms, to within a second), or undefined where /proc is not
 * available. Uses Linux's fixed user-visible clock rate of 100 ticks per second.
 */
export function processStartMs(pid: number): number | undefined {
  const ticks = processStartTicks(pid)
  const boot = bootTime()
  if (ticks === undefined || boot === undefined || !/^\d+$/.test(ticks)) return undefined
  return boot + Number(ticks) * 10
}

let machine: string | undefined | null = null

/**
 * An id of the running kernel (`/proc/sys/kernel/random/boot_id`, shared by containers on one host,
 * new at each boot), else the host name: pids are only comparable between processes with the same id.
 */
export function machineId(): string {
  if (machine === null) {
    try {
      machine = `boot:${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}`
    } catch {
      machine = undefined
    }
  }
  return machine ?? `host:${hostname()}`
}

/**
 * True when the process that owned something created at `sinceMs` (epoch ms) with `pid` is certainly
 * gone: no process has the pid, or the one that has it now started after `sinceMs` (the pid was
 * reused). A second of slack covers the precision of the boot time.
 */
export function ownerGone(pid: number, sinceMs: number): boolean {
  if (!pidAlive(pid)) return true
  const started = processStartMs(pid)
  return started !== undefined && started > sinceMs + 1000
}
