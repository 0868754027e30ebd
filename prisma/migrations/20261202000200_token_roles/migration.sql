-- Roles of API tokens: admin (everything) or read-only (every GET, the UI screens and Bull Board
-- read-only). Existing tokens stay admin.
ALTER TABLE "api_token" ADD COLUMN "role" VARCHAR(20) NOT NULL DEFAULT 'admin';
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_role_check" CHECK ("role" IN ('admin', 'read-only'));
