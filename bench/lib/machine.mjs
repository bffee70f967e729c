// The machine a run happened on, for BENCHMARKS.md.
import fs from 'node:fs';
import os from 'node:os';
import { execFileSync } from 'node:child_process';

function tryRun(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function machineInfo() {
  const cpus = os.cpus();
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = (/model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? cpus[0]?.model ?? 'unknown').trim();
  const lscpu = tryRun('lscpu', []) ?? '';
  const hypervisor = /Hypervisor vendor:\s*(.*)/.exec(lscpu)?.[1]?.trim() ?? null;
  const osRelease = fs.existsSync('/etc/os-release') ? fs.readFileSync('/etc/os-release', 'utf8') : '';
  const distro = /PRETTY_NAME="?([^"\n]*)"?/.exec(osRelease)?.[1] ?? os.type();
  // emcc itself is not run: the version is the installed Debian package's (the one that built dist/).
  const emscripten = tryRun('dpkg-query', ['-W', '-f=${Version}', 'emscripten']);
  return {
    cpu: model,
    cores: cpus.length,
    mhz: cpus[0]?.speed ?? null,
    hypervisor,
    ramBytes: os.totalmem(),
    os: `${distro}, Linux ${os.release()}`,
    node: process.version,
    emscripten: emscripten ? `emscripten ${emscripten} (Debian package; not run by the bench)` : 'unknown',
    loadAverage: os.loadavg(),
  };
}
