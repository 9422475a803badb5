/**
 * Shared building blocks on Radix primitives (accessible focus handling, keyboard, ARIA): Button, Dialog,
 * ConfirmDialog, Menu, Tooltip, Select, ErrorMessage, Progress. Screens use these rather than their own.
 */
import {
  forwardRef,
  useRef,
  useState,
  type ButtonHTMLAttributes,
  type ComponentPropsWithoutRef,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import * as RadixDialog from '@radix-ui/react-dialog';
import * as RadixAlert from '@radix-ui/react-alert-dialog';
import * as RadixMenu from '@radix-ui/react-dropdown-menu';
import * as RadixTooltip from '@radix-ui/react-tooltip';
import * as RadixSelect from '@radix-ui/react-select';
import { RosterError, RosterNetworkError } from '@roster/sdk';

// ---- Button --------------------------------------------------------------

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: 'default' | 'primary' | 'danger' | 'ghost';
  size?: 'default' | 'icon';
  busy?: boolean;
  /** Why the button is disabled: shown as a tooltip (and to screen readers) while it is. */
  disabledReason?: string | null;
}

export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  { variant = 'default', size = 'default', busy = false, disabledReason, className, children, disabled, ...rest },
  ref,
) {
  const classes = ['btn', variant !== 'default' ? `btn-${variant}` : '', size === 'icon' ? 'btn-icon' : '', className]
    .filter(Boolean)
    .join(' ');
  const off = disabled || busy;
  const button = (
    <button
      ref={ref}
      type="button"
      className={classes}
      // aria-disabled keeps a greyed-out action focusable, so its reason can be read.
      disabled={off && !disabledReason}
      aria-disabled={off || undefined}
      aria-busy={busy || undefined}
      {...rest}
      onClick={off ? (e) => e.preventDefault() : rest.onClick}
    >
      {busy ? <span aria-hidden="true">…</span> : null}
      {children}
    </button>
  );
  if (off && disabledReason) return <Tooltip content={disabledReason}>{button}</Tooltip>;
  return button;
});

// ---- Tooltip -------------------------------------------------------------

export function TooltipProvider({ children }: { children: ReactNode }) {
  return <RadixTooltip.Provider delayDuration={250}>{children}</RadixTooltip.Provider>;
}

export function Tooltip({
  content,
  children,
  side = 'top',
}: {
  content: ReactNode;
  children: ReactNode;
  side?: 'top' | 'bottom' | 'left' | 'right';
}) {
  return (
    <RadixTooltip.Root>
      <RadixTooltip.Trigger asChild>{children}</RadixTooltip.Trigger>
      <RadixTooltip.Portal>
        <RadixTooltip.Content className="tooltip" side={side} sideOffset={6} collisionPadding={8}>
          {content}
        </RadixTooltip.Content>
      </RadixTooltip.Portal>
    </RadixTooltip.Root>
  );
}

// ---- Dialog --------------------------------------------------------------

/**
 * Radix gives the focus back (to a select's trigger, to what opened a dialog) from a timer once a closed layer has
 * left the page, and Chromium handles queued input before timers: keys typed in between land on the page's body (a
 * Tab starts again from the top, Enter is lost). Call this as a layer closes with the focus inside it: when the focus
 * leaves with the layer, `to()` gets it at once, before the next key; `done` then tells Radix's own return to stand
 * down (it would pull the focus back from wherever the next keys took it).
 */
function handFocusBack(layer: string, to: () => HTMLElement | null, done?: () => void): void {
  if (!document.activeElement?.closest(layer)) return;
  const back = () =>
    queueMicrotask(() => {
      const el = to();
      if ((!document.activeElement || document.activeElement === document.body) && el?.isConnected) {
        el.focus({ preventScroll: true });
        done?.();
      }
    });
  document.addEventListener('focusout', back, { once: true, capture: true });
}

/**
 * Dialogs opened from state (not from a Radix trigger) give focus back to whatever had it when they opened — the
 * button that opened them, or the row menu's trigger — instead of the page's body. `closing()` as the user closes
 * one (Escape, Cancel) hands it back at once (handFocusBack); a dialog its screen closes gets it from Radix's timer.
 */
function useFocusReturn() {
  const previous = useRef<HTMLElement | null>(null);
  const handedBack = useRef(false);
  return {
    props: {
      onOpenAutoFocus: () => {
        handedBack.current = false;
        previous.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      },
      onCloseAutoFocus: (e: Event) => {
        const el = previous.current;
        if (handedBack.current) {
          e.preventDefault();
        } else if (el?.isConnected) {
          e.preventDefault();
          el.focus();
        }
      },
    },
    closing: () =>
      handFocusBack(
        '.dialog',
        () => previous.current,
        () => {
          handedBack.current = true;
        },
      ),
  };
}

export interface DialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  description?: ReactNode;
  children: ReactNode;
  /** Accessible name for tests and screen readers when the title is not plain text. */
  testId?: string;
}

export function Dialog({ open, onOpenChange, title, description, children, testId }: DialogProps) {
  const focusReturn = useFocusReturn();
  const change = (next: boolean) => {
    if (!next) focusReturn.closing();
    onOpenChange(next);
  };
  return (
    <RadixDialog.Root open={open} onOpenChange={change}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="overlay" />
        <RadixDialog.Content
          className="dialog"
          data-testid={testId}
          {...focusReturn.props}
          {...(description ? {} : { 'aria-describedby': undefined })}
        >
          <RadixDialog.Title>{title}</RadixDialog.Title>
          {description ? <RadixDialog.Description className="muted">{description}</RadixDialog.Description> : null}
          {children}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

export const DialogClose = RadixDialog.Close;

// ---- ConfirmDialog -------------------------------------------------------

export interface ConfirmDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  description: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  /** Runs on confirm; the dialog stays open, busy, until it settles, and shows its error if it fails. */
  onConfirm: () => Promise<unknown>;
}

export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  confirmLabel,
  danger,
  onConfirm,
}: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const focusReturn = useFocusReturn();
  const change = (next: boolean) => {
    if (busy) return;
    if (!next) {
      setError(null);
      focusReturn.closing();
    }
    onOpenChange(next);
  };
  return (
    <RadixAlert.Root open={open} onOpenChange={change}>
      <RadixAlert.Portal>
        <RadixAlert.Overlay className="overlay" />
        <RadixAlert.Content className="dialog" {...focusReturn.props}>
          <RadixAlert.Title>{title}</RadixAlert.Title>
          <RadixAlert.Description asChild>
            <div className="muted">{description}</div>
          </RadixAlert.Description>
          {error ? <ErrorMessage error={error} /> : null}
          <div className="dialog-actions">
            <RadixAlert.Cancel asChild>
              <Button disabled={busy}>Cancel</Button>
            </RadixAlert.Cancel>
            <Button
              variant={danger ? 'danger' : 'primary'}
              busy={busy}
              onClick={async () => {
                setBusy(true);
                setError(null);
                try {
                  await onConfirm();
                  setBusy(false);
                  onOpenChange(false);
                } catch (e) {
                  setBusy(false);
                  setError(e);
                }
              }}
            >
              {confirmLabel}
            </Button>
          </div>
        </RadixAlert.Content>
      </RadixAlert.Portal>
    </RadixAlert.Root>
  );
}

// ---- Menu ----------------------------------------------------------------

export const Menu = RadixMenu.Root;
export const MenuTrigger = RadixMenu.Trigger;

export function MenuContent({ children, ...props }: ComponentPropsWithoutRef<typeof RadixMenu.Content>) {
  return (
    <RadixMenu.Portal>
      <RadixMenu.Content className="menu" sideOffset={4} align="end" collisionPadding={8} {...props}>
        {children}
      </RadixMenu.Content>
    </RadixMenu.Portal>
  );
}

export function MenuItem({
  danger,
  className,
  ...props
}: ComponentPropsWithoutRef<typeof RadixMenu.Item> & { danger?: boolean }) {
  return <RadixMenu.Item className={['menu-item', danger ? 'danger' : '', className].join(' ')} {...props} />;
}

export function MenuSeparator() {
  return <RadixMenu.Separator className="menu-sep" />;
}

export function MenuLabel({ children }: { children: ReactNode }) {
  return <RadixMenu.Label className="menu-label">{children}</RadixMenu.Label>;
}

// ---- Select --------------------------------------------------------------

export interface SelectOption {
  value: string;
  label: ReactNode;
  /** Greyed out, with the reason shown beside it. */
  disabledReason?: string | null;
}

/** Keys that move through a select's open list. */
const LIST_KEYS = ['ArrowDown', 'ArrowUp', 'Home', 'End'];

/**
 * Radix moves the focus in an open list, and back to the trigger when the list closes, from a timer; keys typed
 * before that timer runs land on the wrong element (Chromium handles input before timers): ArrowDown then Enter
 * picks the old option, and a Tab after Enter starts from the top of the page. So the list moves the focus in the
 * key's own handler, and the closing list hands the focus back to the trigger as it leaves (see `closing`).
 */
function listKeyDown(e: KeyboardEvent<HTMLDivElement>): void {
  // Enter picks the option (Radix, on the option): its default action would click the trigger the focus goes back to.
  if (e.key === 'Enter') e.preventDefault();
  if (!LIST_KEYS.includes(e.key) || e.altKey || e.ctrlKey || e.metaKey) return;
  const items = Array.from(e.currentTarget.querySelectorAll<HTMLElement>('[role="option"]:not([data-disabled])'));
  let candidates = e.key === 'ArrowUp' || e.key === 'End' ? items.reverse() : items;
  if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
    candidates = candidates.slice(candidates.indexOf(e.target as HTMLElement) + 1);
  }
  e.preventDefault(); // also skips Radix's own, deferred, handling of the key
  const next = candidates[0];
  if (next) {
    next.focus({ preventScroll: true });
    next.scrollIntoView({ block: 'nearest' });
  }
}

export function Select({
  value,
  onValueChange,
  options,
  label,
  id,
}: {
  value: string;
  onValueChange: (v: string) => void;
  options: SelectOption[];
  /** Accessible name (visible labels should point at `id` instead). */
  label?: string;
  id?: string;
}) {
  const trigger = useRef<HTMLButtonElement>(null);
  const radixReturn = useRef(true);
  const closing = (open: boolean) => {
    if (open) {
      radixReturn.current = true;
      return;
    }
    handFocusBack(
      '[role="listbox"]',
      () => trigger.current,
      () => {
        radixReturn.current = false;
      },
    );
  };
  return (
    <RadixSelect.Root value={value} onValueChange={onValueChange} onOpenChange={closing}>
      <RadixSelect.Trigger ref={trigger} className="select-trigger" aria-label={label} id={id}>
        <RadixSelect.Value />
        <RadixSelect.Icon aria-hidden="true">▾</RadixSelect.Icon>
      </RadixSelect.Trigger>
      <RadixSelect.Portal>
        <RadixSelect.Content
          className="select-content"
          position="popper"
          sideOffset={4}
          onKeyDown={listKeyDown}
          onCloseAutoFocus={(e) => {
            if (!radixReturn.current) e.preventDefault();
          }}
        >
          <RadixSelect.Viewport>
            {options.map((o) => (
              <RadixSelect.Item key={o.value} value={o.value} className="select-item" disabled={!!o.disabledReason}>
                {/* A greyed-out option's reason is part of its name (it can never show as the chosen value). */}
                <RadixSelect.ItemText>
                  {o.label}
                  {o.disabledReason ? <span className="hint"> — {o.disabledReason}</span> : null}
                </RadixSelect.ItemText>
              </RadixSelect.Item>
            ))}
          </RadixSelect.Viewport>
        </RadixSelect.Content>
      </RadixSelect.Portal>
    </RadixSelect.Root>
  );
}

// ---- Errors and progress -------------------------------------------------

/** The server's own message (and code and request id, to quote to an operator) for any failed call. */
export function ErrorMessage({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  let message = 'Something went wrong.';
  let code: string | undefined;
  let requestId: string | undefined;
  if (error instanceof RosterError) {
    message = error.message;
    code = error.code;
    requestId = error.requestId;
  } else if (error instanceof RosterNetworkError) {
    message = `Could not reach the server: ${error.message}`;
    requestId = error.requestId;
  } else if (error instanceof Error) {
    message = error.message;
  }
  return (
    <div className="error" role="alert" data-testid="error">
      {title ? <strong>{title}: </strong> : null}
      <span data-testid="error-message">{message}</span>
      {code || requestId ? (
        <div className="hint">
          {code ? <code>{code}</code> : null}
          {requestId ? <span> · request {requestId}</span> : null}
        </div>
      ) : null}
    </div>
  );
}

export function Progress({ value, max, label }: { value: number; max: number; label: string }) {
  const pct = max > 0 ? Math.min(100, Math.round((value / max) * 100)) : 0;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={value}
    >
      <div style={{ width: `${pct}%` }} />
    </div>
  );
}

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <p className="muted" role="status">
      {label}…
    </p>
  );
}
