import type { ReactNode } from 'react';

/** The frame of the public pages (sign in, sign up, invitation). */
export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="auth">
      <div className="card stack">
        <div className="brand">
          <img src="/favicon.svg" alt="" /> Roster
        </div>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

/** A same-origin path to go to after signing in (never another site). */
export function safeNext(value: string | null): string {
  return value?.startsWith('/') && !value.startsWith('//') ? value : '/';
}
