import { Type } from 'typebox';
import { AccountViewSchema } from '@mailduct/core/accounts';
import { Nullable } from '../common-schemas.js';

export const AuthorizeBody = Type.Object(
  {
    flow: Type.Optional(
      Type.Enum(['authorization_code', 'device_code', 'client_credentials'], {
        description: "default: the provider's grant; device_code works with any provider that has the endpoint",
        'x-problem': 'must be authorization_code, device_code or client_credentials',
      }),
    ),
  },
  { additionalProperties: false },
);

const DeviceSignIn = {
  status: Type.Enum(['pending', 'authorized', 'failed']),
  userCode: Type.String(),
  verificationUri: Type.String(),
  verificationUriComplete: Nullable(Type.String()),
  expiresAt: Type.String({ format: 'date-time' }),
  message: Nullable(Type.String()),
};

export const AuthorizeResponse = Type.Object({
  flow: Type.Enum(['authorization_code', 'device_code', 'client_credentials']),
  authorizationUrl: Type.Optional(Type.String({ description: 'send the administrator here (valid 10 minutes)' })),
  expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  state: Type.Optional(Type.Literal('ready')),
  ...Object.fromEntries(Object.entries(DeviceSignIn).map(([k, v]) => [k, Type.Optional(v)])),
});

export const OAuth2StatusResponse = Type.Object({
  auth: AccountViewSchema.properties.auth,
  device: Nullable(Type.Object(DeviceSignIn)),
});

export const RevokeResponse = Type.Object({ revokedAtProvider: Type.Boolean() });
