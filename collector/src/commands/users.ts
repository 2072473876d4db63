// `runlens users create <name> --role viewer|admin | list | revoke <id>`: user tokens for the
// viewer and the read API. The token is printed once; only its hash is stored.
import type { UserRole } from '../auth/principal.ts';
import { UsageError, type Command } from './command.ts';
import { DB_OPTIONS } from './config-options.ts';
import { table, when, withCredentials } from './keys.ts';

const ROLES: readonly UserRole[] = ['viewer', 'admin'];

export const usersCommand: Command = {
  name: 'users',
  summary: 'create, list and revoke user tokens (viewer or admin) for the viewer and the API',
  description:
    'User tokens open the viewer (its sign-in screen) and the read API: `Authorization: Bearer <token>`.\n' +
    'A viewer reads runs and traces; an admin also reads the access log. Once a user exists, reads without a token are refused.\n' +
    'Tokens are stored hashed: `create` prints the token once.',
  arguments: 'create <name> | list | revoke <id>',
  options: {
    role: { type: 'string', value: 'ROLE', description: 'with create: viewer (default) or admin' },
    ...DB_OPTIONS,
  },
  async run(values, positionals) {
    const [action, arg, ...rest] = positionals;
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}". See: runlens users --help`);
    if (values.role !== undefined && action !== 'create') throw new UsageError('--role goes with `users create`');
    if (action === 'create') {
      if (!arg) throw new UsageError('users create needs a name, e.g. `runlens users create alice --role admin`');
      const role = (values.role ?? 'viewer') as UserRole;
      if (!ROLES.includes(role)) throw new UsageError(`--role must be viewer or admin, got "${role}"`);
      const { user, token } = await withCredentials(values, (c) => c.createUser(arg, role));
      console.log(token);
      console.error(`created ${user.role} ${user.name} (id ${user.id}); the token is shown only this once`);
      return 0;
    }
    if (action === 'list') {
      if (arg) throw new UsageError(`unexpected argument "${arg}". See: runlens users --help`);
      const users = await withCredentials(values, async (c) => c.listUsers());
      console.log(table(['ID', 'NAME', 'ROLE', 'CREATED', 'REVOKED'], users.map((u) => [u.id, u.name, u.role, when(u.createdAt), when(u.revokedAt)])));
      return 0;
    }
    if (action === 'revoke') {
      if (!arg) throw new UsageError('users revoke needs the id of a user (see `runlens users list`)');
      const revoked = await withCredentials(values, (c) => c.revokeUser(arg));
      if (!revoked) {
        console.error(`runlens: no active user with id ${arg} (see \`runlens users list\`)`);
        return 1;
      }
      console.log(`revoked user token ${arg}`);
      return 0;
    }
    throw new UsageError(`${action === undefined ? 'missing action' : `unknown action "${action}"`}: use create, list or revoke. See: runlens users --help`);
  },
};
