/**
 * Routes of the head for users, projects, members, invites and the audit log
 * (`projectRoutes` of protocol/projects.ts). All take a user's token, except redeeming an
 * invite, which takes only the invite code. Permission checks live in the head's
 * services (`head/permissions.ts`), not here: a route validates, names the caller, and
 * shapes the reply. An agent without the head role answers them with 404 saying so.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { HopsError } from '../../protocol/errors.ts';
import {
  AddMemberRequest,
  AuditQuery,
  CreateInviteRequest,
  CreateProjectRequest,
  ProjectName,
  RedeemInviteRequest,
  UserName,
  projectRoutes,
  type AuditEntry,
  type Invite,
  type Member,
  type Project,
  type User,
} from '../../protocol/projects.ts';
import type { Invites, Redeemed } from '../head/invites.ts';
import type { Projects } from '../head/projects.ts';
import type { Users } from '../head/users.ts';
import { callerOf, inviteCode, type TokenKind } from './auth.ts';

/** The head's services behind these routes. */
export interface ProjectServices {
  users: Pick<Users, 'authenticate' | 'list'>;
  projects: Pick<Projects, 'list' | 'create' | 'get' | 'delete' | 'members' | 'setMember' | 'removeMember' | 'auditLog'>;
  invites: Pick<Invites, 'create' | 'check' | 'redeem'>;
}

type Protect = (url: string, kind: TokenKind) => string;

const ProjectParams = Type.Object({ project: ProjectName });
const MemberParams = Type.Object({ project: ProjectName, user: UserName });
type ProjectParams = Static<typeof ProjectParams>;
type MemberParams = Static<typeof MemberParams>;

/** Declares the project routes, backed by the head's services. */
export function headProjectRoutes(app: FastifyInstance, services: ProjectServices, protect: Protect): void {
  const { users, projects, invites } = services;

  app.get(protect(projectRoutes.me, 'client'), async (request): Promise<User> => callerOf(request));

  app.get(protect(projectRoutes.users, 'client'), async (request): Promise<{ users: User[] }> => ({ users: users.list(callerOf(request)) }));

  app.get(protect(projectRoutes.projects, 'client'), async (request): Promise<{ projects: Project[] }> => ({
    projects: projects.list(callerOf(request)),
  }));

  app.post<{ Body: Static<typeof CreateProjectRequest> }>(
    protect(projectRoutes.projects, 'client'),
    { schema: { body: CreateProjectRequest } },
    async (request): Promise<Project> => projects.create(callerOf(request), request.body),
  );

  app.get<{ Params: ProjectParams }>(
    protect(projectRoutes.project, 'client'),
    { schema: { params: ProjectParams } },
    async (request): Promise<Project> => projects.get(callerOf(request), request.params.project),
  );

  app.delete<{ Params: ProjectParams }>(
    protect(projectRoutes.project, 'client'),
    { schema: { params: ProjectParams } },
    async (request): Promise<{ project: string }> => {
      projects.delete(callerOf(request), request.params.project);
      return { project: request.params.project };
    },
  );

  app.get<{ Params: ProjectParams }>(
    protect(projectRoutes.members, 'client'),
    { schema: { params: ProjectParams } },
    async (request): Promise<{ members: Member[] }> => ({ members: projects.members(callerOf(request), request.params.project) }),
  );

  app.post<{ Params: ProjectParams; Body: Static<typeof AddMemberRequest> }>(
    protect(projectRoutes.members, 'client'),
    { schema: { params: ProjectParams, body: AddMemberRequest } },
    async (request): Promise<Project> => projects.setMember(callerOf(request), request.params.project, request.body.user, request.body.role),
  );

  app.delete<{ Params: MemberParams }>(
    protect(projectRoutes.member, 'client'),
    { schema: { params: MemberParams } },
    async (request): Promise<Project> => projects.removeMember(callerOf(request), request.params.project, request.params.user),
  );

  app.get<{ Params: ProjectParams; Querystring: Static<typeof AuditQuery> }>(
    protect(projectRoutes.audit, 'client'),
    { schema: { params: ProjectParams, querystring: AuditQuery } },
    async (request): Promise<{ entries: AuditEntry[] }> => ({
      entries: projects.auditLog(callerOf(request), request.params.project, request.query),
    }),
  );

  app.post<{ Body: Static<typeof CreateInviteRequest> }>(
    protect(projectRoutes.invites, 'client'),
    { schema: { body: CreateInviteRequest } },
    async (request): Promise<Invite> => invites.create(callerOf(request), request.body),
  );

  app.post<{ Body: Static<typeof RedeemInviteRequest> }>(
    protect(projectRoutes.redeem, 'invite'),
    { schema: { body: RedeemInviteRequest } },
    async (request): Promise<Redeemed> => {
      // The onRequest check let only a well-formed code through; redeeming checks it again, atomically.
      const code = inviteCode(request.headers.authorization);
      if (code === undefined) throw new HopsError('UNAUTHORIZED', 'This request carries no invite code.');
      return invites.redeem(code, request.body.user);
    },
  );
}

/** Declares the project routes on an agent without the head role: each says so with a 404. */
export function noHeadProjectRoutes(app: FastifyInstance, hostId: string, protect: Protect): void {
  const refuse = async (_request: FastifyRequest, _reply: FastifyReply): Promise<never> => {
    throw new HopsError('NOT_FOUND', `This agent (${hostId}) has no head role; users and projects are served by the cluster's head.`, {
      hint: 'Connect to the head agent of the cluster instead.',
    });
  };
  const routes: Array<['GET' | 'POST' | 'DELETE', string, TokenKind]> = [
    ['GET', projectRoutes.me, 'client'],
    ['GET', projectRoutes.users, 'client'],
    ['GET', projectRoutes.projects, 'client'],
    ['POST', projectRoutes.projects, 'client'],
    ['GET', projectRoutes.project, 'client'],
    ['DELETE', projectRoutes.project, 'client'],
    ['GET', projectRoutes.members, 'client'],
    ['POST', projectRoutes.members, 'client'],
    ['DELETE', projectRoutes.member, 'client'],
    ['GET', projectRoutes.audit, 'client'],
    ['POST', projectRoutes.invites, 'client'],
    ['POST', projectRoutes.redeem, 'invite'],
  ];
  for (const [method, url, kind] of routes) app.route({ method, url: protect(url, kind), handler: refuse });
}
