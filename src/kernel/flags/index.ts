export * from './bits.js';
export * from './rflags.js';
export * from './taint.js';
export * from './task-state.js';
export * from './tif.js';
export * from './version.js';
