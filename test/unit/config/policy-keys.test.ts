import test from 'ava';
import { describeConfig, parseConfig } from '../../../src/config/index.js';
import { configText } from '../../helpers/config-text.js';

const FILE = '/etc/hawkbit-rauc.conf';
const parse = (client: Record<string, string>) => parseConfig(configText({ client }), FILE).config;

test('same_version and allow_downgrade default to skip and true', (t) => {
  t.like(parse({}), { sameVersion: 'skip', allowDowngrade: true });
});

test('same_version accepts skip and install; allow_downgrade any boolean spelling', (t) => {
  t.like(parse({ same_version: 'install', allow_downgrade: 'false' }), { sameVersion: 'install', allowDowngrade: false });
  t.like(parse({ same_version: 'skip', allow_downgrade: 'No' }), { sameVersion: 'skip', allowDowngrade: false });
  t.like(parse({ allow_downgrade: '1' }), { allowDowngrade: true });
});

test('bad values name the key and the allowed values', (t) => {
  const enumError = t.throws(() => parse({ same_version: 'ignore' }));
  t.regex(enumError!.message, /\[client\] same_version: Value 'ignore' is not one of 'skip', 'install'\./);
  const boolError = t.throws(() => parse({ allow_downgrade: 'sometimes' }));
  t.regex(boolError!.message, /\[client\] allow_downgrade: Value 'sometimes' cannot be interpreted as a boolean\./);
});

test('describeConfig prints both effective values', (t) => {
  const text = describeConfig(parse({ same_version: 'install' }));
  t.true(text.includes('same_version = install\n'));
  t.true(text.includes('allow_downgrade = true\n'));
});

test('non_bundle_artifacts: fail by default, skip accepted, anything else names the key', (t) => {
  t.like(parse({}), { nonBundleArtifacts: 'fail' });
  t.like(parse({ non_bundle_artifacts: 'skip' }), { nonBundleArtifacts: 'skip' });
  const error = t.throws(() => parse({ non_bundle_artifacts: 'ignore' }));
  t.regex(error!.message, /\[client\] non_bundle_artifacts: Value 'ignore' is not one of 'fail', 'skip'\./);
  t.true(describeConfig(parse({ non_bundle_artifacts: 'skip' })).includes('non_bundle_artifacts = skip\n'));
});
