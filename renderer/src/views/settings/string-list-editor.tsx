// An editable list of strings (shared folders, registries, mirrors): add with Enter, remove per item.
import { useState } from 'react';

interface Props {
  label: string;
  hint?: string;
  items: string[];
  placeholder: string;
  onChange(items: string[]): void;
}

export function StringListEditor({ label, hint, items, placeholder, onChange }: Props) {
  const [value, setValue] = useState('');
  const add = () => {
    const v = value.trim();
    if (v && !items.includes(v)) onChange([...items, v]);
    setValue('');
  };
  const id = label.toLowerCase().replace(/\W+/g, '-');
  return (
    <fieldset className="field list-editor" data-testid={`list-${id}`}>
      <legend>{label}</legend>
      {hint && <p className="muted small">{hint}</p>}
      {items.length === 0 ? <p className="muted small">None.</p> : (
        <ul>
          {items.map((item) => (
            <li key={item}>
              <span className="mono">{item}</span>
              <button type="button" className="icon-button" aria-label={`Remove ${item}`} onClick={() => onChange(items.filter((i) => i !== item))}>×</button>
            </li>
          ))}
        </ul>
      )}
      <div className="inline-form">
        <input className="input mono grow" aria-label={`Add to ${label}`} value={value} placeholder={placeholder}
          onChange={(e) => setValue(e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } }} />
        <button type="button" className="button" onClick={add} disabled={!value.trim()}>Add</button>
      </div>
    </fieldset>
  );
}
