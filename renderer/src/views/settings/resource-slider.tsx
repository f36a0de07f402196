// One resource as a slider bounded by the host, with its value spelled out.
interface Props {
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  format(v: number): string;
  onChange(v: number): void;
  testId: string;
}

export function ResourceSlider({ label, value, min, max, step, format, onChange, testId }: Props) {
  const id = `slider-${testId}`;
  return (
    <div className="slider-field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="range" min={min} max={max} step={step} value={value} data-testid={testId}
        aria-valuetext={format(value)} onChange={(e) => onChange(Number(e.target.value))} />
      <output htmlFor={id} className="slider-value" data-testid={`${testId}-value`}>{format(value)}</output>
      <span className="muted small slider-bounds">{format(min)} – {format(max)}</span>
    </div>
  );
}
