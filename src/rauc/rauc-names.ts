/** RAUC's well-known bus name and installer interface (no dbus-next here: see bus-parts.ts). */
export const RAUC_BUS_NAME = 'de.pengutronix.rauc';
export const INSTALLER_INTERFACE = 'de.pengutronix.rauc.Installer';
