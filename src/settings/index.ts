/**
 * Settings: the institution's facts printed on certificates (name, issuing city, logo),
 * edited by administrators. The module's public face.
 */
export { createSettingsService, type SettingsService } from './settings.service.js';
export { adminSettingsWebRouter, institutionLogoRouter, LOGO_UPLOAD_PATH } from './settings.web.js';
export { LOGO_LIMITS } from './settings.schemas.js';
