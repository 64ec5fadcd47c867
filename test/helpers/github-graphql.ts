import { schema as github, validate } from "@octokit/graphql-schema";
import { type GraphQLSchema, type IntrospectionQuery, buildClientSchema, graphql } from "graphql";
import nock from "nock";
import { API } from "./github.js";

/**
 * A stand-in for GitHub's GraphQL endpoint built on GitHub's published schema
 * (@octokit/graphql-schema): each query the code sends is validated against the schema (a field
 * or argument GitHub does not have fails the test), then executed against the test's data, so
 * the answer has exactly the shape GitHub gives that query (a missing non-null field, a wrong
 * type or an unknown __typename is an error here too).
 */
let built: GraphQLSchema | undefined;
function schema(): GraphQLSchema {
  // From the introspection JSON: the IDL file defines a few fields twice and does not build.
  built ??= buildClientSchema(github.json as IntrospectionQuery);
  return built;
}

/** Throw from a resolver for GitHub's `NOT_FOUND` error. */
export function notFound(message: string): Error {
  return new Error(`NOT_FOUND: ${message}`);
}

export interface GraphqlCall {
  query: string;
  variables: Record<string, unknown>;
}

/**
 * Intercepts one POST /graphql. `root(variables)` is the data to resolve the query against
 * (plain objects; a function field gets the field's arguments).
 */
export function nockGraphql(
  root: (variables: Record<string, unknown>) => unknown,
  calls: GraphqlCall[] = [],
): nock.Scope {
  return nock(API)
    .post("/graphql", (body: GraphqlCall) => {
      const errors = validate(body.query);
      if (errors.length > 0) {
        throw new Error(
          `query does not fit GitHub's schema: ${errors.map((e) => e.message).join("; ")}`,
        );
      }
      return true;
    })
    .reply(async (_uri, body) => {
      const call = body as GraphqlCall;
      calls.push(call);
      const result = await graphql({
        schema: schema(),
        source: call.query,
        rootValue: root(call.variables),
        variableValues: call.variables,
      });
      const errors = result.errors?.map((e) => {
        const found = /^NOT_FOUND: (.*)$/.exec(e.message);
        if (!found) throw new Error(`the test's data does not fit the query: ${e.message}`);
        return { type: "NOT_FOUND", message: found[1], path: e.path, locations: e.locations };
      });
      return [200, { data: result.data ?? null, ...(errors ? { errors } : {}) }];
    });
}
