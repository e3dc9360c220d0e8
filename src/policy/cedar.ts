// The one place that imports cedar-wasm (the Node build; the default entry needs a bundler).
export {
  checkParsePolicySet,
  checkParseSchema,
  isAuthorized,
  policySetTextToParts,
  policyToJson,
  preparsePolicySet,
  preparseSchema,
  schemaToJsonWithResolvedTypes,
  statefulIsAuthorized,
  validate,
} from '@cedar-policy/cedar-wasm/nodejs';
export type {
  AuthorizationAnswer,
  DetailedError,
  EntityJson,
  PolicyJson,
  SourceLabel,
} from '@cedar-policy/cedar-wasm/nodejs';
