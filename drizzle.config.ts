import { defineConfig } from 'drizzle-kit';

// drizzle-kit generate reads the schema; drizzle-kit migrate applies db/migrations to DATABASE_URL.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/index.ts',
  out: './db/migrations',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  strict: true,
  verbose: true,
});
