import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { NotFoundError, type OrganizationPermission, type RosterClient } from '@roster/sdk';
import { useClient } from './client';

/** Query keys shared by screens, so a mutation can invalidate what it changed. */
export const keys = {
  viewer: ['viewer'] as const,
  instance: ['instance'] as const,
  ssoProviders: ['ssoProviders'] as const,
  organization: (org: string) => ['org', org] as const,
  orgPart: (org: string, part: string) => ['org', org, part] as const,
  apiKeys: ['apiKeys'] as const,
};

export type Viewer = Awaited<ReturnType<RosterClient['viewer']>>;
export type ViewerUser = NonNullable<NonNullable<Viewer>['user']>;
export type Organization = Awaited<ReturnType<RosterClient['organization']>>;

/** The signed-in user (null when anonymous). */
export function useViewer() {
  const client = useClient();
  return useQuery({ queryKey: keys.viewer, queryFn: () => client.viewer(), staleTime: 60_000 });
}

/** Version, needsBootstrap, settings of the instance (public). */
export function useInstance() {
  const client = useClient();
  return useQuery({ queryKey: keys.instance, queryFn: () => client.instance(), staleTime: 60_000 });
}

/** The `:org` route parameter. */
export function useOrgName(): string {
  const { org } = useParams();
  if (!org) throw new Error('useOrgName() outside an /orgs/:org route');
  return org;
}

/** The current organization (`name`, else the route's `:org`), with viewerPermissions and seats. */
export function useOrganization(name?: string) {
  const client = useClient();
  const param = useParams().org;
  const org = name ?? param ?? '';
  return useQuery({
    queryKey: keys.organization(org),
    queryFn: () => client.organization({ organization: org }),
    enabled: org !== '',
    retry: (count, error) => !(error instanceof NotFoundError) && count < 1,
  });
}

/**
 * What the viewer may do in an organization (`name`, else the route's), from `viewerPermissions` (never from role
 * names): `can('MEMBER_INVITE')`. While loading, nothing is allowed.
 */
export function usePermissions(name?: string) {
  const org = useOrganization(name);
  const granted = new Set<OrganizationPermission>(org.data?.viewerPermissions ?? []);
  return {
    loading: org.isPending,
    can: (permission: OrganizationPermission) => granted.has(permission),
    permissions: granted,
  };
}

/** The organization's custom roles (the editor, and the team role choices); `keys.orgPart(org, 'custom-roles')`. */
export function useCustomRoles(org: string) {
  const client = useClient();
  return useQuery({
    queryKey: keys.orgPart(org, 'custom-roles'),
    queryFn: () => client.customRoles({ organization: org, first: 100 }),
  });
}

/** Invalidate everything of one organization (members, seats, charts…). */
export function useInvalidateOrg() {
  const qc = useQueryClient();
  return (org: string) => qc.invalidateQueries({ queryKey: ['org', org] });
}
