// "Are you sure?" with the consequence spelled out; the confirming button names the action.
import { useState, type ReactNode } from 'react';
import { errorMessage } from '../berth-api.ts';
import { Dialog } from './dialog.tsx';

interface ConfirmProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm(): Promise<unknown> | void;
  onClose(): void;
}

export function ConfirmDialog({ title, children, confirmLabel, danger, onConfirm, onClose }: ConfirmProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={title}
      onClose={onClose}
      testId="confirm-dialog"
      footer={<>
        <button type="button" className="button" onClick={onClose}>Cancel</button>
        <button type="button" className={danger ? 'button danger' : 'button primary'} disabled={busy} onClick={confirm} data-testid="confirm-button">
          {busy ? 'Working…' : confirmLabel}
        </button>
      </>}
    >
      <div className="confirm-text">{children}</div>
      {error && <p className="form-error" role="alert">{error}</p>}
    </Dialog>
  );
}
