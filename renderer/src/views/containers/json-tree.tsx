// Readable, collapsible JSON: objects and arrays are native <details>, so they open with the keyboard.
interface NodeProps {
  name?: string;
  value: unknown;
  depth: number;
  openDepth: number;
}

function Scalar({ value }: { value: unknown }) {
  if (value === null) return <span className="json-null">null</span>;
  if (typeof value === 'string') return <span className="json-string">"{value}"</span>;
  if (typeof value === 'number') return <span className="json-number">{value}</span>;
  if (typeof value === 'boolean') return <span className="json-bool">{String(value)}</span>;
  return <span>{String(value)}</span>;
}

function JsonNode({ name, value, depth, openDepth }: NodeProps) {
  const key = name !== undefined && <span className="json-key">{name}: </span>;
  if (value === null || typeof value !== 'object') {
    return <div className="json-leaf">{key}<Scalar value={value} /></div>;
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return <div className="json-leaf">{key}<span className="muted">{open}{close}</span></div>;
  return (
    <details className="json-node" open={depth < openDepth}>
      <summary>{key}<span className="muted">{open} {Array.isArray(value) ? `${entries.length} items` : `${entries.length} keys`} {close}</span></summary>
      <div className="json-children">
        {entries.map(([k, v]) => <JsonNode key={k} name={k} value={v} depth={depth + 1} openDepth={openDepth} />)}
      </div>
    </details>
  );
}

export function JsonTree({ value, openDepth = 1 }: { value: unknown; openDepth?: number }) {
  return <div className="json-tree mono" data-testid="json-tree"><JsonNode value={value} depth={0} openDepth={openDepth} /></div>;
}
