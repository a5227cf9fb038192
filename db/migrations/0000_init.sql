CREATE TABLE "accounts" (
	"id" bigint PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"api_key" text PRIMARY KEY NOT NULL,
	"account_id" bigint NOT NULL,
	"type" text NOT NULL,
	"secret_ciphertext" text,
	"public_key" text,
	"permissions" text[] DEFAULT '{}' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "assets" (
	"name" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "balances" (
	"account_id" bigint NOT NULL,
	"asset" text NOT NULL,
	"free" numeric(38, 0) NOT NULL,
	"locked" numeric(38, 0) NOT NULL,
	CONSTRAINT "balances_account_id_asset_pk" PRIMARY KEY("account_id","asset")
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account_id" bigint NOT NULL,
	"asset" text NOT NULL,
	"amount" numeric(38, 0) NOT NULL,
	"cause" text NOT NULL,
	"trade_id" bigint,
	"seq" bigint NOT NULL,
	"time" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "markets" (
	"symbol" text PRIMARY KEY NOT NULL,
	"base_asset" text NOT NULL,
	"quote_asset" text NOT NULL,
	"definition" jsonb NOT NULL,
	"status" text NOT NULL,
	"last_price" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "matcher_offsets" (
	"shard" text PRIMARY KEY NOT NULL,
	"stream_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"next_order_id" bigint NOT NULL,
	"next_trade_id" bigint NOT NULL,
	"next_prevented_match_id" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"order_id" bigint PRIMARY KEY NOT NULL,
	"symbol" text NOT NULL,
	"account_id" bigint NOT NULL,
	"client_order_id" text,
	"side" text NOT NULL,
	"type" text NOT NULL,
	"time_in_force" text NOT NULL,
	"price" bigint NOT NULL,
	"stop_price" bigint DEFAULT 0 NOT NULL,
	"orig_qty" bigint NOT NULL,
	"executed_qty" bigint NOT NULL,
	"cum_quote" numeric(38, 0) NOT NULL,
	"orig_quote_order_qty" numeric(38, 0),
	"status" text NOT NULL,
	"self_trade_prevention_mode" text NOT NULL,
	"prevented_qty" bigint DEFAULT 0 NOT NULL,
	"time" bigint NOT NULL,
	"update_time" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "trades" (
	"trade_id" bigint PRIMARY KEY NOT NULL,
	"symbol" text NOT NULL,
	"price" bigint NOT NULL,
	"qty" bigint NOT NULL,
	"quote_qty" numeric(38, 0) NOT NULL,
	"buyer_order_id" bigint NOT NULL,
	"seller_order_id" bigint NOT NULL,
	"buyer_account_id" bigint NOT NULL,
	"seller_account_id" bigint NOT NULL,
	"is_buyer_maker" boolean NOT NULL,
	"buyer_fee" numeric(38, 0) NOT NULL,
	"seller_fee" numeric(38, 0) NOT NULL,
	"time" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "balances" ADD CONSTRAINT "balances_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "balances" ADD CONSTRAINT "balances_asset_assets_name_fk" FOREIGN KEY ("asset") REFERENCES "public"."assets"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "markets" ADD CONSTRAINT "markets_base_asset_assets_name_fk" FOREIGN KEY ("base_asset") REFERENCES "public"."assets"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "markets" ADD CONSTRAINT "markets_quote_asset_assets_name_fk" FOREIGN KEY ("quote_asset") REFERENCES "public"."assets"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_by_account" ON "api_keys" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "ledger_by_account_asset" ON "ledger_entries" USING btree ("account_id","asset","id");--> statement-breakpoint
CREATE INDEX "orders_open_by_account" ON "orders" USING btree ("account_id","symbol","order_id") WHERE "orders"."status" in ('NEW', 'PARTIALLY_FILLED');--> statement-breakpoint
CREATE INDEX "orders_by_account_symbol" ON "orders" USING btree ("account_id","symbol","order_id");--> statement-breakpoint
CREATE INDEX "orders_by_client_order_id" ON "orders" USING btree ("account_id","symbol","client_order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_open_client_order_id" ON "orders" USING btree ("account_id","symbol","client_order_id") WHERE "orders"."status" in ('NEW', 'PARTIALLY_FILLED') and "orders"."client_order_id" is not null;--> statement-breakpoint
CREATE INDEX "trades_by_buyer" ON "trades" USING btree ("buyer_account_id","symbol","trade_id");--> statement-breakpoint
CREATE INDEX "trades_by_seller" ON "trades" USING btree ("seller_account_id","symbol","trade_id");--> statement-breakpoint
CREATE INDEX "trades_by_symbol" ON "trades" USING btree ("symbol","trade_id");--> statement-breakpoint
CREATE INDEX "trades_by_buyer_order" ON "trades" USING btree ("buyer_order_id");--> statement-breakpoint
CREATE INDEX "trades_by_seller_order" ON "trades" USING btree ("seller_order_id");