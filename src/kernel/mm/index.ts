export * from './compound.js';
export * from './page-flags.js';
