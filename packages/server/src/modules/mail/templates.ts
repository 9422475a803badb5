export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface InvitationEmailParams {
  organizationDisplayName: string;
  organizationName: string;
  /** Null when the inviter is not a person (an API key) or is unknown. */
  inviterName: string | null;
  email: string;
  role: string;
  acceptUrl: string;
  expiresAt: Date;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** One line, no control characters: values end up in a mail header. */
function oneLine(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
  return value.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
}

const DATE_FORMAT = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });

/** "ADMIN" -> "an admin", "MEMBER" -> "a member". */
function roleWithArticle(role: string): string {
  const word = role.toLowerCase();
  return `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
}

export function renderInvitationEmail(params: InvitationEmailParams): RenderedEmail {
  const org = oneLine(params.organizationDisplayName);
  const inviter = params.inviterName ? oneLine(params.inviterName) : null;
  const who = inviter ?? 'An administrator';
  const orgLabel = `${org} (${params.organizationName})`;
  const role = roleWithArticle(params.role);
  const expires = `${DATE_FORMAT.format(params.expiresAt)} UTC`;

  // Headers are limited to 255 characters (outbox_emails.subject); display names are at most 100.
  const subject = `You are invited to join ${org} on Roster`.slice(0, 255);

  const text = [
    'Hello,',
    '',
    `${who} has invited you to join ${orgLabel} on Roster as ${role}.`,
    '',
    'To accept the invitation, open this link:',
    '',
    params.acceptUrl,
    '',
    `The invitation is for ${params.email} and expires on ${expires}.`,
    'If you were not expecting it, you can ignore this email.',
    '',
    '-- ',
    'Roster',
    '',
  ].join('\n');

  const e = escapeHtml;
  const url = e(params.acceptUrl);
  const html =
    `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${e(subject)}</title></head>
<body style="font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; color: #1f2328; line-height: 1.5;">
<p>Hello,</p>
<p>${e(who)} has invited you to join <strong>${e(org)}</strong> (${e(params.organizationName)}) on Roster as ` +
    `${e(role)}.</p>
<p><a href="${url}" style="display: inline-block; padding: 10px 18px; background: #0969da; color: #ffffff; ` +
    `text-decoration: none; border-radius: 6px;">Accept the invitation</a></p>
<p>If the button does not work, copy this link into your browser:<br><a href="${url}">${url}</a></p>
<p style="color: #59636e;">The invitation is for ${e(params.email)} and expires on ${e(expires)}. If you were not ` +
    `expecting it, you can ignore this email.</p>
</body>
</html>
`;
  return { subject, text, html };
}
