// Create a volume; an empty name lets the engine pick one.
import { useState } from 'react';
import { berth, errorMessage } from '../../berth-api.ts';
import { Dialog } from '../../components/dialog.tsx';

export function CreateVolumeDialog({ onClose }: { onClose(): void }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    try {
      await berth().volumes.create({ name: name.trim() || undefined });
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <Dialog title="Create a volume" onClose={onClose} testId="create-volume-dialog"
      footer={<>
        <button type="button" className="button" onClick={onClose}>Cancel</button>
        <button type="submit" form="volume-form" className="button primary">Create</button>
      </>}>
      <form id="volume-form" className="form" onSubmit={submit}>
        <label className="field"><span>Volume name</span>
          <input className="input mono" value={name} onChange={(e) => setName(e.target.value)} placeholder="a random name if empty" autoFocus />
        </label>
        {error && <p className="form-error" role="alert">{error}</p>}
      </form>
    </Dialog>
  );
}
