import test from 'ava';
import { describeFeatures, detectFeatures, parseInstallerMethods } from '../../../src/rauc/index.js';

const xml = (methods: string): string => `<node>
  <interface name="org.freedesktop.DBus.Introspectable"><method name="Introspect"><arg type="s" name="xml_data" direction="out"/></method></interface>
  <interface name="de.pengutronix.rauc.Installer">
    <method name="InstallBundle">
      <annotation name="org.qtproject.QtDBus.QtTypeName.In1" value="QVariantMap"/>
      <arg type="s" name="source" direction="in"/>
      <arg type="a{sv}" name="args" direction="in"/>
    </method>
    <method name="GetPrimary"><arg type="s" name="primary" direction="out"/></method>
    ${methods}
    <property type="s" name="Operation" access="read"/>
  </interface>
</node>`;
const INSPECT = '<method name="InspectBundle"><arg type="s" name="source" direction="in"/><arg type="a{sv}" name="args" direction="in"/><arg type="a{sv}" name="info" direction="out"/></method>';
const ARTIFACTS = '<method name="GetArtifactStatus"><arg type="aa{sv}" name="artifacts" direction="out"/></method>';

test('methods and their argument types come from the Installer interface only', (t) => {
  t.deepEqual(parseInstallerMethods(xml(INSPECT)), {
    InstallBundle: { in: 'sa{sv}', out: '' },
    GetPrimary: { in: '', out: 's' },
    InspectBundle: { in: 'sa{sv}', out: 'a{sv}' },
  });
  t.deepEqual(parseInstallerMethods('<node/>'), {});
});

test('RAUC 1.8 (no InspectBundle): neither transaction-id nor require-manifest-hash', (t) => {
  t.like(detectFeatures(parseInstallerMethods(xml(''))), { inspectBundle: false, transactionId: 'no', requireManifestHash: 'no' });
});

test('RAUC 1.9–1.12 (InspectBundle, no GetArtifactStatus): transaction-id left to RAUC\'s answer', (t) => {
  const features = detectFeatures(parseInstallerMethods(xml(INSPECT)));
  t.like(features, { inspectBundle: true, transactionId: 'unknown', requireManifestHash: 'no' });
  t.is(describeFeatures(features), "InspectBundle yes, transaction-id not shown by D-Bus (RAUC's answer to the first install decides), require-manifest-hash no");
});

test('RAUC 1.13+ (GetArtifactStatus): transaction-id yes, require-manifest-hash not shown', (t) => {
  t.like(detectFeatures(parseInstallerMethods(xml(INSPECT + ARTIFACTS))), { inspectBundle: true, transactionId: 'yes', requireManifestHash: 'unknown' });
});

test('an InspectBundle with other arguments is not taken for the known one', (t) => {
  t.false(detectFeatures(parseInstallerMethods(xml('<method name="InspectBundle"><arg type="s" direction="in"/></method>'))).inspectBundle);
});
