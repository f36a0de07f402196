// Small factories for the shapes tests need.
import type { ContainerSummary, EngineEvent } from '../../../protocol/src/api-shapes.ts';

export function container(name: string, over: Partial<ContainerSummary> = {}): ContainerSummary {
  return {
    id: `${name}-id`.padEnd(64, '0'), name, image: 'busybox:latest', imageId: 'sha256:abc', command: 'sh', created: 1_700_000_000,
    state: 'running', status: 'Up 2 minutes', ports: [], labels: {}, ...over,
  };
}

export function event(type: EngineEvent['type'], action: string, id: string, attributes: Record<string, string> = {}): EngineEvent {
  return { type, action, id, attributes, time: 1_700_000_100 };
}
