// Shared contract. The engine's identity as reported to hosts; more arrives with the VM link.
export const PRODUCT = 'Berth';
export const ENGINE_API_VERSION = '1.50';
export * from './api-shapes.ts';
export * from './api-contract.ts';
export * from './api-wire.ts';
export * from './api-client.ts';
export * from './api-dispatcher.ts';
