// Start the NHS.UK frontend components (header menu, tables, skip link) once the page has loaded.
import { initAll } from "./nhsuk/nhsuk-frontend.min.js";
initAll();
