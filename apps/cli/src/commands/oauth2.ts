import type { Config } from '@mailduct/core/config';
import { announceAccountChange } from '@mailduct/core/events';
import { createInfrastructure, type Infrastructure } from '@mailduct/core/infrastructure';
import { ANY_ADMIN, AuthorizationFlow, type DeviceSignIn } from '@mailduct/core/oauth2';
import type { Io } from '../main.js';
import { UsageError } from '../usage.js';

const WAIT_MS = 10 * 60_000;

/**
 * `mailduct oauth2 authorize --account-id N [--device]`: give an OAuth2 account its grant from a
 * terminal. With --device (or a device_code provider): the code and where to enter it, then wait
 * until it is entered. Authorization code: the URL to open in a browser signed in to mailduct's UI
 * (the provider comes back to MAILDUCT_PUBLIC_URL/oauth2/callback), then wait. Client credentials:
 * ask for a token now. Exit 0 once authorized, 1 otherwise.
 */
export async function oauth2Command(
  config: Readonly<Config>,
  action: string | undefined,
  flags: { 'account-id'?: string; device?: boolean },
  io: Io,
): Promise<number> {
  if (action !== 'authorize') throw new UsageError(`unknown oauth2 action "${action ?? ''}" (use authorize)`);
  const id = Number(flags['account-id']);
  if (!Number.isInteger(id) || id < 1) throw new UsageError('oauth2 authorize needs --account-id N');
  const infra = createInfrastructure(config, { name: 'mailduct-oauth2', poolSize: 2 });
  const flow = new AuthorizationFlow({
    prisma: infra.prisma,
    redis: infra.redis,
    prefix: config.queuePrefix,
    tokens: infra.accessTokens,
    onAuthorized: (accountId) =>
      announceAccountChange(infra.redis, config.queuePrefix, { accountId, kind: 'updated' }).catch(() => undefined),
  });
  try {
    const account = await infra.prisma.mailAccount.findUnique({ where: { id }, include: { oauth2Provider: true } });
    const grant = account?.oauth2Provider?.grantType;
    if (grant === 'client_credentials' && !flags.device) {
      await infra.accessTokens.accessToken(id);
      io.out(`Mail account ${id} got a token from "${account!.oauth2Provider!.name}" (client credentials): ready.`);
      return 0;
    }
    if (flags.device || grant === 'device_code') return await byDevice(flow, id, io);
    return await byBrowser(infra, flow, id, io);
  } finally {
    await infra.close();
  }
}

async function byDevice(flow: AuthorizationFlow, id: number, io: Io): Promise<number> {
  const started = await flow.startDevice(id, 'cli');
  io.out(`To authorize mail account ${id}, open ${started.verificationUri} and enter the code ${started.userCode}`);
  if (started.verificationUriComplete) io.out(`(or open ${started.verificationUriComplete})`);
  io.out(`Waiting until ${started.expiresAt} ...`);
  for (;;) {
    await sleep(1000);
    const now: DeviceSignIn | null = await flow.deviceStatus(id);
    if (now?.status === 'authorized') {
      io.out(`Mail account ${id} is authorized.`);
      return 0;
    }
    if (!now || now.status === 'failed') {
      io.err(`Mail account ${id} was not authorized: ${now?.message ?? 'the sign-in ended'}`);
      return 1;
    }
  }
}

async function byBrowser(infra: Infrastructure, flow: AuthorizationFlow, id: number, io: Io): Promise<number> {
  const origin = infra.config.publicUrl;
  if (!origin)
    throw new UsageError(
      'set MAILDUCT_PUBLIC_URL to the address the admin UI is reached at (the provider sends the browser back there), or use --device',
    );
  const before = await infra.prisma.oAuth2Token.findUnique({
    where: { accountId: id },
    select: { authorizedAt: true },
  });
  const started = await flow.begin(id, { redirectUri: `${origin}/oauth2/callback`, binding: ANY_ADMIN });
  io.out(`To authorize mail account ${id}, open this URL in a browser signed in to mailduct's admin UI:`);
  io.out(started.authorizationUrl);
  io.out(`Waiting until ${started.expiresAt} ...`);
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    await sleep(1000);
    const now = await infra.prisma.oAuth2Token.findUnique({ where: { accountId: id }, select: { authorizedAt: true } });
    if (now && now.authorizedAt.getTime() !== before?.authorizedAt.getTime()) {
      io.out(`Mail account ${id} is authorized.`);
      return 0;
    }
  }
  io.err(`Mail account ${id} was not authorized within 10 minutes.`);
  return 1;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
