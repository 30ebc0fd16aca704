export { FakeHawkbit, type ConnectionCounts, type FakeHawkbitOptions, type FakeTlsOptions, type RecordedRequest } from './fake-hawkbit.js';
export { FakeTarget, type FeedbackKind, type FeedbackRecord } from './fake-target.js';
export { FakeAction, type ActionStatus, type ActionType, type ChunkSpec, type DeploymentSpec } from './fake-action.js';
export type { ArtifactSpec, HashName } from './artifacts.js';
export type { RandomFaultCounts, RandomFaultOptions } from './random-faults.js';
