export { runFleet, endReason, PROGRESS_FILE, REPORT_FILE, type EndCondition, type FleetOptions } from './fleet.js';
export { LiveView, viewLines, type ViewInput } from './live-view.js';
export { buildReport, percentile, reportTable, timeSpread, type FleetReport, type TimeSpread } from './report.js';
export { laneOf, RequestGate, type GateEvent, type Lane, type LaneLimits, type LaneSnapshot } from './request-gate.js';
export { devicesFromCsv, FleetRosterError, isFleetRosterError, numberedDevices, type VirtualDevice } from './roster.js';
export { SimulatedRauc, SIMULATED_RAUC_FILE, type SimulatedRaucOptions } from './simulated-rauc.js';
export { artifactSink, type ArtifactMode } from './artifact-sink.js';
export type { DeviceRecord } from './device-record.js';
export { EvenSpread } from './even-spread.js';
