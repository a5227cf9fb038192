// The part of OpenAPI 3.1 the edge's document uses, typed, so that the document is data the compiler checks.
// Schemas are JSON Schema 2020-12 (OpenAPI 3.1's dialect); extensions (x-...) are the ones this document adds.

export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'null';

export interface Schema {
  $ref?: string;
  type?: JsonType | readonly JsonType[];
  description?: string;
  format?: string;
  pattern?: string;
  enum?: readonly (string | number | boolean | null)[];
  const?: string | number | boolean;
  default?: string | number | boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  prefixItems?: readonly Schema[];
  properties?: Readonly<Record<string, Schema>>;
  required?: readonly string[];
  additionalProperties?: Schema | boolean;
  oneOf?: readonly Schema[];
  anyOf?: readonly Schema[];
  examples?: readonly unknown[];
}

export interface Reference {
  $ref: string;
}

export interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
  description?: string;
  schema: Schema;
}

export interface MediaType {
  schema: Schema;
}

export interface Header {
  description: string;
  schema: Schema;
}

export interface Response {
  description: string;
  headers?: Readonly<Record<string, Header | Reference>>;
  content?: Readonly<Record<string, MediaType>>;
  /** The Binance error codes this status carries for the operation. */
  'x-codes'?: readonly number[];
}

export interface RequestBody {
  description?: string;
  required?: boolean;
  content: Readonly<Record<string, MediaType>>;
}

/** How a parameter changes the request weight; `example` weighs `weight` (checked against rate-limits.ts). */
export interface WeightRule {
  when: string;
  weight: number;
  example: Readonly<Record<string, string>>;
}

export type SecurityRequirement = Readonly<Record<string, readonly string[]>>;

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  parameters?: readonly Parameter[];
  requestBody?: RequestBody;
  responses: Readonly<Record<string, Response>>;
  security?: readonly SecurityRequirement[];
  /** Request weight counted against the client IP per minute, sent without optional parameters. */
  'x-weight': number;
  /** How parameters change `x-weight`. */
  'x-weight-rules'?: readonly WeightRule[];
  /** Groups of parameters of which at least one must be sent (-1102 when none is). */
  'x-required-one-of'?: readonly (readonly string[])[];
}

export type Method = 'get' | 'post' | 'put' | 'delete';
export type PathItem = Partial<Record<Method, Operation>>;

export interface SecurityScheme {
  type: 'apiKey' | 'http';
  description: string;
  name?: string;
  in?: 'header' | 'query';
  scheme?: string;
}

export interface Tag {
  name: string;
  description: string;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: {
    title: string;
    version: string;
    description: string;
    license: { name: string; identifier: string };
  };
  tags: readonly Tag[];
  paths: Readonly<Record<string, PathItem>>;
  components: {
    schemas: Readonly<Record<string, Schema>>;
    headers: Readonly<Record<string, Header>>;
    securitySchemes: Readonly<Record<string, SecurityScheme>>;
  };
}
