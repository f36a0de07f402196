// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfirmDialog } from './confirm-dialog.tsx';

describe('ConfirmDialog', () => {
  afterEach(cleanup);

  it('focuses inside, closes on Escape', () => {
    const onClose = vi.fn();
    render(<ConfirmDialog title="Delete web?" confirmLabel="Delete" onConfirm={() => undefined} onClose={onClose}><p>Gone for good.</p></ConfirmDialog>);
    const dialog = screen.getByRole('dialog', { name: 'Delete web?' });
    expect(dialog.contains(document.activeElement)).toBe(true);
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(onClose).toHaveBeenCalled();
  });

  it('shows the engine message when the action fails, and stays open', async () => {
    const onClose = vi.fn();
    render(<ConfirmDialog title="Delete?" confirmLabel="Delete" onConfirm={() => Promise.reject(new Error('volume is in use'))} onClose={onClose}>x</ConfirmDialog>);
    fireEvent.click(screen.getByTestId('confirm-button'));
    expect((await screen.findByRole('alert')).textContent).toBe('volume is in use');
    expect(onClose).not.toHaveBeenCalled();
  });
});
