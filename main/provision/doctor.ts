/**
 * The host doctor: before anything is installed, one round trip over SSH reads what a host
 * offers, and each finding becomes a check with the fix for a failure.
 */
import type { Client } from 'ssh2';
import type { DoctorCheck, DoctorReport } from '../../protocol/cluster-setup.ts';
import type { ParamsOf } from '../../protocol/desktop-api.ts';
import type { KnownHosts } from '../workspace/known-hosts.ts';
import { dial } from '../ssh/dial.ts';
import { runCommand } from '../ssh/session.ts';

/** What the probe script prints, one `key=value` a line. */
export type Probe = Record<string, string>;

/** Thresholds a host must meet; Node 24, shipped with the agent, needs glibc 2.28. */
export const requirements = {
  minGlibc: [2, 28] as const,
  failDiskBytes: 512 * 2 ** 20,
  warnDiskBytes: 2 * 2 ** 30,
  warnMemoryBytes: 2 * 2 ** 30,
  warnSkewMs: 2_000,
  failSkewMs: 30_000,
};

/** Reads every fact in one command; each line survives the others failing. */
export const probeScript = [
  'echo "os=$(uname -s)"',
  'echo "arch=$(uname -m)"',
  'echo "glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null)"',
  `echo "home_free_kb=$(df -Pk "$HOME" 2>/dev/null | awk 'NR==2{print $4}')"`,
  `echo "mem_kb=$(awk '/^MemTotal:/{print $2}' /proc/meminfo 2>/dev/null)"`,
  'echo "now_ms=$(date +%s%3N)"',
  'echo "nvidia_driver=$(nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -n1)"',
  `echo "cuda=$(nvidia-smi 2>/dev/null | grep -o 'CUDA Version: [0-9.]*' | awk '{print $3}')"`,
  'echo "python3=$(python3 --version 2>/dev/null)"',
  'echo "systemd_user=$(systemctl --user is-system-running 2>/dev/null)"',
  'echo "linger=$(loginctl show-user "$(id -un)" --property=Linger --value 2>/dev/null)"',
  'echo "user=$(id -un)"',
  // Not checks, but what provisioning needs next; asked in the same round trip.
  'echo "home=$HOME"',
  'echo "cluster_id=$(cat "$HOME/.hopsdesk/etc/cluster-id" 2>/dev/null)"',
  'echo "systemd_manager=$(systemctl --user show-environment >/dev/null 2>&1 && echo yes)"',
].join('; ');

/**
 * Logs in to `target` (host key checked first), examines it and logs out. Connection
 * problems reject with their own error codes; what the host lacks is in the report.
 */
export async function doctorHost(knownHosts: KnownHosts, params: ParamsOf<'host.doctor'>, sshConfigFile?: string): Promise<DoctorReport> {
  const { target, ...access } = params;
  const link = await dial(target, access, { knownHosts, ...(sshConfigFile === undefined ? {} : { sshConfigFile }) });
  try {
    return await examineHost(link.client, target);
  } finally {
    link.close();
  }
}

/** Runs the probe on a connected host and assesses it against this machine's clock. */
export async function examineHost(client: Client, target: string): Promise<DoctorReport> {
  return (await probeHost(client, target)).report;
}

/** The assessment together with the raw facts, which provisioning reuses. */
export async function probeHost(client: Client, target: string): Promise<{ report: DoctorReport; probe: Probe }> {
  const sentAtMs = Date.now();
  const result = await runCommand(client, probeScript);
  const receivedAtMs = Date.now();
  const probe = parseProbe(result.stdout);
  // The host read its clock somewhere within the round trip: compare with the midpoint.
  return { report: assessProbe(target, probe, (sentAtMs + receivedAtMs) / 2, receivedAtMs - sentAtMs), probe };
}

export function parseProbe(output: string): Probe {
  const probe: Probe = {};
  for (const line of output.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) probe[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return probe;
}

/** Turns probe facts into checks; pure, so every threshold is tested without a host. */
export function assessProbe(target: string, probe: Probe, laptopNowMs: number, roundTripMs: number): DoctorReport {
  const checks = [
    checkOs(probe),
    checkArch(probe),
    checkGlibc(probe),
    checkDisk(probe),
    checkMemory(probe),
    checkClock(probe, laptopNowMs, roundTripMs),
    checkGpu(probe),
    checkPython(probe),
    checkService(probe),
  ];
  return { target, checks, ready: checks.every((c) => c.status !== 'fail') };
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

function checkOs(p: Probe): DoctorCheck {
  const os = p.os ?? '';
  return os === 'Linux'
    ? { id: 'os', title: 'Operating system', status: 'ok', detail: 'Linux' }
    : { id: 'os', title: 'Operating system', status: 'fail', detail: os || 'unknown', fix: 'Hopsdesk agents run on Linux hosts only.' };
}

function checkArch(p: Probe): DoctorCheck {
  const arch = p.arch ?? '';
  const known: Record<string, string> = { x86_64: 'x64', amd64: 'x64', aarch64: 'arm64', arm64: 'arm64' };
  return known[arch]
    ? { id: 'arch', title: 'Architecture', status: 'ok', detail: `${arch} (${known[arch]})` }
    : { id: 'arch', title: 'Architecture', status: 'fail', detail: arch || 'unknown', fix: 'The agent ships for x64 and arm64 hosts only.' };
}

function checkGlibc(p: Probe): DoctorCheck {
  const match = /(\d+)\.(\d+)/.exec(p.glibc ?? '');
  const [needMajor, needMinor] = requirements.minGlibc;
  const need = `glibc ${needMajor}.${needMinor}`;
  if (!match) {
    return { id: 'glibc', title: 'C library', status: 'fail', detail: 'no glibc found (musl or unknown)', fix: `The agent's Node runtime needs ${need} or newer; use a glibc distribution.` };
  }
  const major = Number(match[1]);
  const minor = Number(match[2]);
  const ok = major > needMajor || (major === needMajor && minor >= needMinor);
  return ok
    ? { id: 'glibc', title: 'C library', status: 'ok', detail: `glibc ${major}.${minor}` }
    : { id: 'glibc', title: 'C library', status: 'fail', detail: `glibc ${major}.${minor}`, fix: `The agent's Node runtime needs ${need} or newer: upgrade the OS (e.g. Debian 10, Ubuntu 20.04, RHEL 8 or later).` };
}

function checkDisk(p: Probe): DoctorCheck {
  const free = Number(p.home_free_kb) * 1024;
  if (!Number.isFinite(free) || p.home_free_kb === undefined || p.home_free_kb === '') {
    return { id: 'disk', title: 'Free disk in home', status: 'warn', detail: 'could not be read', fix: 'Check `df -h ~` on the host; the agent needs about 200 MiB.' };
  }
  const title = 'Free disk in home';
  const detail = `${gib(free)} free`;
  if (free < requirements.failDiskBytes) {
    return { id: 'disk', title, status: 'fail', detail, fix: `Free at least ${gib(requirements.failDiskBytes)} in the home directory: the agent, its runtime and its data live in ~/.hopsdesk.` };
  }
  if (free < requirements.warnDiskBytes) {
    return { id: 'disk', title, status: 'warn', detail, fix: `Under ${gib(requirements.warnDiskBytes)} leaves little room for datasets and logs; free some space.` };
  }
  return { id: 'disk', title, status: 'ok', detail };
}

function checkMemory(p: Probe): DoctorCheck {
  const total = Number(p.mem_kb) * 1024;
  if (!p.mem_kb || !Number.isFinite(total)) {
    return { id: 'memory', title: 'Memory', status: 'warn', detail: 'could not be read', fix: 'Check /proc/meminfo on the host.' };
  }
  return total < requirements.warnMemoryBytes
    ? { id: 'memory', title: 'Memory', status: 'warn', detail: `${gib(total)} total`, fix: 'Under 2 GiB leaves little for jobs once the agent runs.' }
    : { id: 'memory', title: 'Memory', status: 'ok', detail: `${gib(total)} total` };
}

function checkClock(p: Probe, laptopNowMs: number, roundTripMs: number): DoctorCheck {
  const hostNow = Number(p.now_ms);
  if (!p.now_ms || !Number.isFinite(hostNow)) {
    return { id: 'clock', title: 'Clock', status: 'warn', detail: 'could not be read', fix: 'Check `date` on the host.' };
  }
  // Half the round trip is the most the midpoint estimate can be off by.
  const skew = Math.max(0, Math.abs(hostNow - laptopNowMs) - roundTripMs / 2);
  const detail = `${(skew / 1000).toFixed(1)} s from this computer`;
  const fix = 'Enable time synchronisation on the host (`timedatectl set-ntp true`, or chrony): certificates and heartbeats rely on the clocks agreeing.';
  if (skew > requirements.failSkewMs) return { id: 'clock', title: 'Clock', status: 'fail', detail, fix };
  if (skew > requirements.warnSkewMs) return { id: 'clock', title: 'Clock', status: 'warn', detail, fix };
  return { id: 'clock', title: 'Clock', status: 'ok', detail };
}

function checkGpu(p: Probe): DoctorCheck {
  if (!p.nvidia_driver) {
    return { id: 'gpu', title: 'NVIDIA driver', status: 'warn', detail: 'nvidia-smi not found: a CPU-only host', fix: 'Install the NVIDIA driver if this host has GPUs; CPU jobs run without it.' };
  }
  const cuda = p.cuda ? `, CUDA ${p.cuda}` : '';
  return { id: 'gpu', title: 'NVIDIA driver', status: 'ok', detail: `driver ${p.nvidia_driver}${cuda}` };
}

function checkPython(p: Probe): DoctorCheck {
  return p.python3
    ? { id: 'python', title: 'Python', status: 'ok', detail: p.python3 }
    : { id: 'python', title: 'Python', status: 'warn', detail: 'python3 not found', fix: 'Install python3 for Python jobs (`apt install python3`); the agent itself does not need it.' };
}

function checkService(p: Probe): DoctorCheck {
  const title = 'Keeping the agent running';
  const state = p.systemd_user ?? '';
  if (state === 'running' || state === 'degraded') {
    return p.linger === 'yes'
      ? { id: 'service', title, status: 'ok', detail: 'systemd --user with linger' }
      : {
          id: 'service',
          title,
          status: 'warn',
          detail: 'systemd --user without linger: the agent stops when you log out',
          fix: `Ask an administrator to run \`loginctl enable-linger ${p.user || 'USER'}\` so the agent survives logouts and reboots.`,
        };
  }
  return { id: 'service', title, status: 'warn', detail: 'no user-level systemd: the agent runs under its own supervisor', fix: 'Nothing to do now; without a user-level systemd the agent cannot start by itself after a reboot.' };
}
