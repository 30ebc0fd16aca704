/** Builds config file text: a valid base config with `client` keys overridden (null removes a key). */
export function configText(
  options: { client?: Record<string, string | null>; device?: Record<string, string> | null; extra?: string } = {},
): string {
  const client: Record<string, string | null> = {
    hawkbit_server: 'hawkbit.example.com:8080',
    target_name: 'device-1',
    auth_token: 'secret-target-token-123',
    bundle_download_location: '/tmp/bundle.raucb',
    ...options.client,
  };
  const lines = ['[client]'];
  for (const [key, value] of Object.entries(client)) if (value !== null) lines.push(`${key} = ${value}`);
  if (options.device !== null) {
    lines.push('', '[device]');
    for (const [key, value] of Object.entries(options.device ?? { product: 'Test', serial: '42' })) lines.push(`${key} = ${value}`);
  }
  if (options.extra) lines.push(options.extra);
  return `${lines.join('\n')}\n`;
}
