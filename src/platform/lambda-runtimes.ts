/**
 * Lambda's runtime identifiers (its API's `Runtime` enum, current and deprecated, as of late 2026).
 * A value outside this list is a validation error, as on Lambda; a listed one the local platform
 * cannot run (java, dotnet, ruby, go) is refused by name rather than run as something else.
 */
export const LAMBDA_RUNTIMES: readonly string[] = [
  'nodejs', 'nodejs4.3', 'nodejs4.3-edge', 'nodejs6.10', 'nodejs8.10', 'nodejs10.x', 'nodejs12.x', 'nodejs14.x', 'nodejs16.x', 'nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x',
  'java8', 'java8.al2', 'java11', 'java17', 'java21', 'java25',
  'python2.7', 'python3.6', 'python3.7', 'python3.8', 'python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13', 'python3.14',
  'dotnetcore1.0', 'dotnetcore2.0', 'dotnetcore2.1', 'dotnetcore3.1', 'dotnet6', 'dotnet8', 'dotnet10',
  'go1.x', 'ruby2.5', 'ruby2.7', 'ruby3.2', 'ruby3.3', 'ruby3.4',
  'provided', 'provided.al2', 'provided.al2023',
];

/** Lambda's own message for a value outside its enum (a ValidationException). */
export function runtimeValidationMessage(value: string): string {
  return `1 validation error detected: Value '${value}' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${LAMBDA_RUNTIMES.join(', ')}] or be a valid ARN`;
}
