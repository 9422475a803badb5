import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { OidcFlowService } from './oidc-flow.service';
import { BeginOidcSignInInput, BeginOidcSignInPayload, SsoProviderKind, SsoProviderType } from './sso.types';

@Resolver(() => SsoProviderType)
export class SsoResolver {
  @Query(() => [SsoProviderType], {
    description:
      'The configured SSO providers in the configured order (name, label, kind): public, for sign-in pages. ' +
      'Bounded by the instance settings.',
  })
  async ssoProviders(@Ctx() ctx: RequestContext): Promise<SsoProviderType[]> {
    return (await new OidcFlowService(ctx).providers()).map((p) => ({
      name: p.name,
      label: p.label,
      kind: SsoProviderKind[p.kind],
      loginPath: p.kind === 'OIDC' ? `/auth/oidc/login?provider=${encodeURIComponent(p.name)}` : null,
    }));
  }

  @Mutation(() => BeginOidcSignInPayload, {
    description:
      'Start an OIDC sign-in (authorization code flow with PKCE): returns the URL to send the browser to, and sets ' +
      "the browser's short-lived state cookie. The provider sends the browser back to /auth/oidc/callback, which " +
      'sets the session cookie and redirects to `redirect`. Anyone but a service account may call it.',
  })
  async beginOidcSignIn(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => BeginOidcSignInInput) input: BeginOidcSignInInput,
  ): Promise<BeginOidcSignInPayload> {
    const start = await new OidcFlowService(ctx).begin(input);
    return { authorizationUrl: start.authorizationUrl, expiresAt: start.expiresAt };
  }
}
