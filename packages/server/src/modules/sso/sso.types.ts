import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';

export enum SsoProviderKind {
  OIDC = 'OIDC',
  LDAP = 'LDAP',
}

registerEnumType(SsoProviderKind, {
  name: 'SsoProviderKind',
  description: 'How a provider signs people in.',
  valuesConfig: {
    OIDC: { description: 'OpenID Connect: the browser goes to the provider (beginOidcSignIn, /auth/oidc/login).' },
    LDAP: { description: 'A directory checks the password given to logIn (with `provider`).' },
  },
});

@ObjectType('SsoProvider', { description: 'A configured single sign-on provider (public: what a sign-in page shows).' })
export class SsoProviderType {
  @Field(() => String, { description: 'Stable name: `provider` of logIn, beginOidcSignIn and /auth/oidc/login.' })
  name!: string;

  @Field(() => String, { description: 'Button text, e.g. "Sign in with Okta".' })
  label!: string;

  @Field(() => SsoProviderKind, { description: 'OIDC or LDAP.' })
  kind!: SsoProviderKind;

  @Field(() => String, {
    nullable: true,
    description: 'OIDC: the path that starts a browser sign-in (`/auth/oidc/login?provider=<name>`); null for LDAP.',
  })
  loginPath!: string | null;
}

@InputType({ description: 'Start an OIDC sign-in from an application (single-page apps).' })
export class BeginOidcSignInInput {
  @Field(() => String, { description: 'An OIDC provider `name` from ssoProviders.' })
  provider!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'Path on this server to send the browser to after signing in (default "/"); absolute URLs and //host are ' +
      'refused.',
  })
  redirect?: string | null;
}

@ObjectType({ description: 'Result of beginOidcSignIn.' })
export class BeginOidcSignInPayload {
  @Field(() => String, {
    description:
      "Send the browser here (top-level navigation). The response also set this browser's state cookie: the flow " +
      'must finish in the browser that called beginOidcSignIn (with credentials), at /auth/oidc/callback.',
  })
  authorizationUrl!: string;

  @Field(() => DateTime, { description: 'The sign-in must finish before this time.' })
  expiresAt!: Date;
}
