// Tag: give an image another name.
import { useState } from 'react';
import type { ImageSummary } from '../../../../protocol/src/api-shapes.ts';
import { berth, errorMessage } from '../../berth-api.ts';
import { Dialog } from '../../components/dialog.tsx';
import { imageName } from './image-names.ts';

export function TagDialog({ image, onClose }: { image: ImageSummary; onClose(): void }) {
  const [ref, setRef] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    try {
      await berth().images.tag({ id: image.id, ref: ref.trim() });
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <Dialog title={`Tag ${imageName(image)}`} onClose={onClose} testId="tag-dialog"
      footer={<>
        <button type="button" className="button" onClick={onClose}>Cancel</button>
        <button type="submit" form="tag-form" className="button primary" disabled={!ref.trim()}>Tag</button>
      </>}>
      <form id="tag-form" className="form" onSubmit={submit}>
        <label className="field"><span>New tag</span>
          <input className="input mono" value={ref} onChange={(e) => setRef(e.target.value)} placeholder="myapp:1.0" autoFocus />
        </label>
        {error && <p className="form-error" role="alert">{error}</p>}
      </form>
    </Dialog>
  );
}
