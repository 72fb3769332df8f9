// The GraphQL client of the explorer: one POST /graphql per request with the caller's token
// (auth.js), and the query builder that asks only for fields this server's schema has.

const ENDPOINT = '/graphql';

export class GraphQLRequestError extends Error {
  constructor(message, codes) {
    super(message);
    this.codes = codes || [];
  }
}

export async function graphql(query, variables) {
  let response;
  try {
    await window.macdAuth.ready;
    response = await fetch(ENDPOINT, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...window.macdAuth.headers() },
      body: JSON.stringify({ query, variables: variables || {} }),
    });
  } catch (error) {
    throw new GraphQLRequestError(`The GraphQL API did not answer: ${error.message}`);
  }
  let body;
  try {
    body = await response.json();
  } catch (error) {
    throw new GraphQLRequestError(`The GraphQL API answered HTTP ${response.status} without JSON`);
  }
  if (body.errors && body.errors.length) {
    throw new GraphQLRequestError(body.errors.map((e) => e.message).join('\n'),
      body.errors.map((e) => (e.extensions && e.extensions.code) || null));
  }
  return body.data;
}

// The fields of every type, read once, so the explorer asks only for fields this server has
// (history, move flags and so on). Without introspection every field is assumed present.
const schema = { fields: null }; // type name -> Map(field name -> named type of the field)

export async function readSchema() {
  try {
    const data = await graphql(`query ExplorerSchema {
      __schema {
        queryType { name }
        types { name kind fields { name type { name ofType { name ofType { name ofType { name } } } } } }
      }
    }`);
    schema.fields = new Map();
    schema.kinds = new Map(data.__schema.types.map((t) => [t.name, t.kind]));
    for (const type of data.__schema.types) {
      schema.fields.set(type.name, new Map((type.fields || []).map((f) => [f.name, namedType(f.type)])));
    }
    schema.fields.set('Query', schema.fields.get(data.__schema.queryType.name) || new Map());
  } catch (error) {
    schema.fields = null;
  }
}

function namedType(ref) {
  let current = ref;
  while (current && !current.name && current.ofType) current = current.ofType;
  return current ? current.name : null;
}

export function has(typeName, field) {
  if (schema.fields === null) return true;
  const fields = schema.fields.get(typeName);
  return Boolean(fields && fields.has(field));
}

export function fieldType(typeName, field) {
  if (schema.fields === null) return null;
  const fields = schema.fields.get(typeName);
  return fields ? fields.get(field) || null : null;
}

// The selection set for `spec` on `typeName`, keeping only fields the type has. `spec` lists
// field names and [field, nested spec] pairs; an object field none of whose fields exist is dropped.
export function selection(typeName, spec) {
  const parts = [];
  for (const entry of spec) {
    const [field, nested] = Array.isArray(entry) ? entry : [entry, null];
    if (!has(typeName, field)) continue;
    if (!nested) {
      // A field asked for by name only must be a leaf (scalar or enum) on this server.
      const kind = schema.kinds ? schema.kinds.get(fieldType(typeName, field)) : 'SCALAR';
      if (kind === 'SCALAR' || kind === 'ENUM' || kind === undefined) parts.push(field);
      continue;
    }
    const inner = selection(fieldType(typeName, field), nested);
    if (inner) parts.push(`${field} ${inner}`);
  }
  return parts.length ? `{ ${parts.join(' ')} }` : '';
}
