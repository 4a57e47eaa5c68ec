/**
 * Kernel release strings (`uname -r`) as numbers, for picking a data table by version.
 *
 * Public names: `parseRelease`, `KernelVersion`, `versionAtLeast`, `compareVersions`.
 * Distribution kernels keep their base version while backporting (RHEL7 is "3.10.0-327…el7" for its
 * whole life), so the distro tag is kept beside the numbers: a table may be chosen by it.
 */

export interface KernelVersion {
  major: number;
  minor: number;
  patch: number;
  /** `el7`, `el8`… → 7, 8 (RHEL, CentOS, Oracle Linux, Rocky, Alma share the tag). */
  rhel?: number;
  /** The release string as given. */
  release: string;
}

/** `3.10.0-327.22.2.el7.x86_64` → 3.10.0 rhel 7; `6.1.0-56-amd64` → 6.1.0. Undefined if no x.y at the start. */
export function parseRelease(release: string | undefined): KernelVersion | undefined {
  if (!release) return undefined;
  const m = /^\s*(\d{1,2})\.(\d{1,3})(?:\.(\d{1,4}))?/.exec(release);
  if (!m) return undefined;
  const version: KernelVersion = {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: m[3] === undefined ? 0 : Number(m[3]),
    release: release.trim(),
  };
  const el = /\.el(\d{1,2})(?:[._]|$)/.exec(release);
  if (el) version.rhel = Number(el[1]);
  return version;
}

export function compareVersions(a: Pick<KernelVersion, 'major' | 'minor' | 'patch'>, b: string): number {
  const [major = 0, minor = 0, patch = 0] = b.split('.').map(Number);
  return a.major - major || a.minor - minor || a.patch - patch;
}

export function versionAtLeast(v: Pick<KernelVersion, 'major' | 'minor' | 'patch'>, b: string): boolean {
  return compareVersions(v, b) >= 0;
}

/** Half-open version range `[from, to)`; either end may be open. */
export interface VersionRange {
  from?: string;
  to?: string;
}

export function inRange(v: Pick<KernelVersion, 'major' | 'minor' | 'patch'>, range: VersionRange): boolean {
  if (range.from !== undefined && compareVersions(v, range.from) < 0) return false;
  if (range.to !== undefined && compareVersions(v, range.to) >= 0) return false;
  return true;
}
