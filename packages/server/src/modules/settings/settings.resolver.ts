import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { InstanceSettingsType } from '../instance/instance.types';
import { SettingsService } from './settings.service';
import { InstanceAdminService } from './instance-admins.service';
import { settingsView } from './settings-view';
import type { EffectiveSettings } from './instance-settings-store';
import {
  CreateLdapProviderInput,
  CreateLdapProviderPayload,
  CreateOidcProviderInput,
  CreateOidcProviderPayload,
  DeleteSsoProviderInput,
  DeleteSsoProviderPayload,
  GrantInstanceAdminInput,
  GrantInstanceAdminPayload,
  RevokeInstanceAdminInput,
  RevokeInstanceAdminPayload,
  SetGroupMappingsInput,
  SetGroupMappingsPayload,
  UpdateInstanceSettingsInput,
  UpdateInstanceSettingsPayload,
  UpdateLdapProviderInput,
  UpdateLdapProviderPayload,
  UpdateOidcProviderInput,
  UpdateOidcProviderPayload,
} from './settings.types';

const view = (ctx: RequestContext, s: EffectiveSettings) => settingsView(s, ctx.app.config, ctx.app.settings.box);
const payload = async (ctx: RequestContext, s: Promise<EffectiveSettings>) => ({ settings: view(ctx, await s) });
const plain = (input: object) => ({ ...input }) as Record<string, unknown>;

@Resolver()
export class SettingsResolver {
  @Query(() => InstanceSettingsType, {
    description:
      'The instance settings in effect (instance admins; FORBIDDEN for others). Same as `instance { settings }`, ' +
      'which answers null instead of refusing.',
  })
  async instanceSettings(@Ctx() ctx: RequestContext) {
    return view(ctx, await new SettingsService(ctx).view());
  }

  @Mutation(() => UpdateInstanceSettingsPayload, {
    description:
      'Change general instance settings (instance admins). Stored and audited; applies in every server process ' +
      'within SETTINGS_REFRESH_MS (2 s), without a restart. `reset` falls back to the environment.',
  })
  updateInstanceSettings(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => UpdateInstanceSettingsInput) input: UpdateInstanceSettingsInput,
  ) {
    return payload(ctx, new SettingsService(ctx).update(plain(input)));
  }

  @Mutation(() => CreateOidcProviderPayload, { description: 'Add an OIDC provider (instance admins).' })
  createOidcProvider(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => CreateOidcProviderInput) input: CreateOidcProviderInput,
  ) {
    const raw = { ...plain(input), clientAuth: input.clientAuth ?? 'client_secret_basic' };
    return payload(ctx, new SettingsService(ctx).saveProvider('OIDC', raw, 'create'));
  }

  @Mutation(() => UpdateOidcProviderPayload, {
    description: 'Change an OIDC provider set through the API; omitted fields (and secrets) keep their value.',
  })
  updateOidcProvider(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => UpdateOidcProviderInput) input: UpdateOidcProviderInput,
  ) {
    return payload(ctx, new SettingsService(ctx).saveProvider('OIDC', plain(input), 'update'));
  }

  @Mutation(() => CreateLdapProviderPayload, { description: 'Add an LDAP provider (instance admins).' })
  createLdapProvider(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => CreateLdapProviderInput) input: CreateLdapProviderInput,
  ) {
    return payload(ctx, new SettingsService(ctx).saveProvider('LDAP', plain(input), 'create'));
  }

  @Mutation(() => UpdateLdapProviderPayload, {
    description: 'Change an LDAP provider set through the API; omitted fields (and the password) keep their value.',
  })
  updateLdapProvider(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => UpdateLdapProviderInput) input: UpdateLdapProviderInput,
  ) {
    return payload(ctx, new SettingsService(ctx).saveProvider('LDAP', plain(input), 'update'));
  }

  @Mutation(() => DeleteSsoProviderPayload, {
    description:
      'Delete an SSO provider set through the API, with its secrets. SSO_PROVIDER_REQUIRED when it is the last one ' +
      'and password sign-in is off.',
  })
  deleteSsoProvider(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => DeleteSsoProviderInput) input: DeleteSsoProviderInput,
  ) {
    return payload(ctx, new SettingsService(ctx).deleteProvider(plain(input)));
  }

  @Mutation(() => SetGroupMappingsPayload, {
    description: 'Replace the group-to-team mappings (instance admins). Every team must exist.',
  })
  setGroupMappings(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => SetGroupMappingsInput) input: SetGroupMappingsInput,
  ) {
    const raw = { ...plain(input), mappings: input.mappings?.map((m) => plain(m)) };
    return payload(ctx, new SettingsService(ctx).setGroupMappings(raw));
  }

  @Mutation(() => GrantInstanceAdminPayload, { description: 'Make a user instance admin (instance admins).' })
  grantInstanceAdmin(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => GrantInstanceAdminInput) input: GrantInstanceAdminInput,
  ) {
    return new InstanceAdminService(ctx).set(plain(input), true);
  }

  @Mutation(() => RevokeInstanceAdminPayload, {
    description: 'Make an instance admin a regular user (instance admins); LAST_INSTANCE_ADMIN for the last one.',
  })
  revokeInstanceAdmin(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => RevokeInstanceAdminInput) input: RevokeInstanceAdminInput,
  ) {
    return new InstanceAdminService(ctx).set(plain(input), false);
  }
}
