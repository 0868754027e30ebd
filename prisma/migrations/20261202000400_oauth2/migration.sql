-- OAuth2 sign-in for mail accounts (Microsoft 365, Google Workspace, any OpenID provider).
-- Providers hold the client registration, oauth2_token the grant of one account. Secrets (the
-- client secret, the refresh and access tokens) are secret-box envelopes, never plain text.
CREATE TYPE "OAuth2Kind" AS ENUM ('microsoft', 'google', 'generic');

CREATE TYPE "OAuth2GrantType" AS ENUM ('authorization_code', 'device_code', 'client_credentials');

CREATE TABLE "oauth2_provider" (
    "id" SERIAL NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "kind" "OAuth2Kind" NOT NULL,
    "tenant" VARCHAR(200),
    "issuer_url" VARCHAR(1000),
    "authorization_endpoint" VARCHAR(1000),
    "token_endpoint" VARCHAR(1000),
    "device_authorization_endpoint" VARCHAR(1000),
    "revocation_endpoint" VARCHAR(1000),
    "client_id" VARCHAR(500) NOT NULL,
    "client_secret_enc" TEXT,
    "client_secret_expires_at" TIMESTAMP(3),
    "scopes" VARCHAR(2000),
    "grant_type" "OAuth2GrantType" NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" VARCHAR(200),
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" VARCHAR(200),
    CONSTRAINT "oauth2_provider_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "oauth2_provider_name_key" ON "oauth2_provider"("name");

ALTER TABLE "mail_account" ADD COLUMN "auth_method" VARCHAR(20) NOT NULL DEFAULT 'password';

ALTER TABLE "mail_account" ADD CONSTRAINT "mail_account_auth_method_check" CHECK ("auth_method" IN ('password', 'oauth2'));

ALTER TABLE "mail_account" ADD COLUMN "oauth2_provider_id" INTEGER;

ALTER TABLE "mail_account" ADD COLUMN "oauth2_delegate" BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE "mail_account" ADD COLUMN "oauth2_reauthorization_required" BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE "mail_account" ADD CONSTRAINT "mail_account_oauth2_provider_check" CHECK (("auth_method" = 'oauth2') = ("oauth2_provider_id" IS NOT NULL));

ALTER TABLE "mail_account" ADD CONSTRAINT "mail_account_oauth2_provider_id_fkey" FOREIGN KEY ("oauth2_provider_id") REFERENCES "oauth2_provider"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE INDEX "mail_account_oauth2_provider_id_idx" ON "mail_account"("oauth2_provider_id");

CREATE TABLE "oauth2_token" (
    "account_id" INTEGER NOT NULL,
    "refresh_token_enc" TEXT,
    "refresh_expires_at" TIMESTAMP(3),
    "access_token_enc" TEXT,
    "access_expires_at" TIMESTAMP(3),
    "identity" VARCHAR(500),
    "scope" VARCHAR(2000),
    "authorized_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "authorized_by" VARCHAR(200),
    "refreshed_at" TIMESTAMP(3),
    "refresh_count" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "oauth2_token_pkey" PRIMARY KEY ("account_id")
);

ALTER TABLE "oauth2_token" ADD CONSTRAINT "oauth2_token_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "mail_account"("id") ON DELETE CASCADE ON UPDATE CASCADE;
