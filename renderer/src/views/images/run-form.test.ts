import { describe, expect, it } from 'vitest';
import { emptyRunForm, parseRunForm } from './run-form.ts';

describe('parseRunForm', () => {
  it('builds a run request', () => {
    const { request, errors } = parseRunForm({
      ...emptyRunForm('web:1'), name: 'web', ports: [{ hostPort: '8080', containerPort: '80', proto: 'tcp' }, { hostPort: '', containerPort: '', proto: 'tcp' }],
      env: 'A=1\n\nB=two=2\n', volumes: 'data:/var/lib/data\n/home/me:/src:ro', cpus: '0.5', memoryMb: '256',
    });
    expect(errors).toEqual([]);
    expect(request).toEqual({
      image: 'web:1', name: 'web', ports: [{ hostPort: 8080, containerPort: 80, proto: 'tcp' }], env: ['A=1', 'B=two=2'],
      volumes: [{ source: 'data', target: '/var/lib/data', readOnly: false }, { source: '/home/me', target: '/src', readOnly: true }],
      cpus: 0.5, memoryMb: 256,
    });
  });

  it('says what is wrong in plain words', () => {
    const { request, errors } = parseRunForm({
      ...emptyRunForm('x'), name: '-bad', ports: [{ hostPort: '99999', containerPort: '80', proto: 'tcp' }], env: 'NOEQUALS', volumes: 'nocolon', cpus: '-1',
    });
    expect(request).toBeUndefined();
    expect(errors).toHaveLength(5);
    expect(errors[1]).toContain('Host port "99999"');
  });

  it('lets an empty host port pick one', () => {
    expect(parseRunForm({ ...emptyRunForm('x'), ports: [{ hostPort: '', containerPort: '80', proto: 'tcp' }] }).request?.ports).toEqual([{ hostPort: 0, containerPort: 80, proto: 'tcp' }]);
  });
});
