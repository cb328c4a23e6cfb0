export type { Check, CheckStatus } from './checks.js';
export { DEFAULT_DOCTOR_URL, doctor } from './doctor.js';
export { formatReport } from './format.js';
export type { DoctorOptions, ScanProgress } from './options.js';
export type { DoctorReport, KeyDetail, NodeSummary, ScanSummary } from './report.js';
export type { DatabaseScan, MemoryMeasure } from './scan.js';
export type { PrefixStats, TypeStats } from './stats.js';
