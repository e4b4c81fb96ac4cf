/**
 * The desktop API's project methods, passed through to the head of a cluster: the head
 * owns users, projects and roles and checks every call; the desktop adds nothing but the
 * cluster to ask and, for invites, how a member's desktop will reach the head.
 */
import type { DesktopHandlers } from '../../protocol/desktop-api.ts';
import { projectRoutes, type AuditEntry, type Invite, type Project, type User } from '../../protocol/projects.ts';
import type { ClusterAdmin } from '../provision/cluster-admin.ts';
import type { AgentClient } from './agent-client.ts';
import type { Clusters } from './clusters.ts';

type ProjectHandlers = Pick<
  DesktopHandlers,
  | 'project.list'
  | 'project.create'
  | 'project.get'
  | 'project.addMember'
  | 'project.removeMember'
  | 'project.invite'
  | 'project.audit'
  | 'project.me'
  | 'project.setQuota'
>;

export function projectHandlers(clusters: Clusters, admin: ClusterAdmin): ProjectHandlers {
  const head = async (cluster: string | undefined): Promise<AgentClient> => (await clusters.ready(cluster)).client();
  const get = async (cluster: string | undefined, project: string): Promise<Project> =>
    (await head(cluster)).call<Project>('GET', projectRoutes.project, { project });

  return {
    'project.list': async ({ cluster }) => (await head(cluster)).call<{ projects: Project[] }>('GET', projectRoutes.projects),
    'project.create': async ({ cluster, name, description }) =>
      (await head(cluster)).call<Project>('POST', projectRoutes.projects, {}, { name, ...(description === undefined ? {} : { description }) }),
    'project.get': ({ cluster, project }) => get(cluster, project),
    'project.addMember': async ({ cluster, project, user, role }) => {
      await (await head(cluster)).call('POST', projectRoutes.members, { project }, { user, role });
      return get(cluster, project);
    },
    'project.removeMember': async ({ cluster, project, user }) => {
      await (await head(cluster)).call('DELETE', projectRoutes.member, { project, user });
      return get(cluster, project);
    },
    'project.invite': async ({ cluster, project, role, ttlHours }) => {
      const name = clusters.resolveName(cluster);
      const where = admin.inviteAddress(name);
      const invite = await (await head(name)).call<Invite>('POST', projectRoutes.invites, {}, {
        ...(project === undefined ? {} : { project }),
        ...(role === undefined ? {} : { role }),
        ...(ttlHours === undefined ? {} : { ttlHours }),
      });
      return { ...invite, ...where };
    },
    'project.audit': async ({ cluster, project, afterSeq, limit }) => {
      const query = new URLSearchParams();
      if (afterSeq !== undefined) query.set('afterSeq', String(afterSeq));
      if (limit !== undefined) query.set('limit', String(limit));
      const route = projectRoutes.audit + (query.size > 0 ? `?${query}` : '');
      return (await head(cluster)).call<{ entries: AuditEntry[] }>('GET', route, { project });
    },
    'project.me': async ({ cluster }) => (await head(cluster)).call<User>('GET', projectRoutes.me),
    'project.setQuota': async ({ cluster, project, quotaBytes }) =>
      (await head(cluster)).call<Project>('PUT', projectRoutes.quota, { project }, { quotaBytes }),
  };
}
