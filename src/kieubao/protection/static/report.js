// Show only the extra fields of the kind of case chosen.
document.addEventListener("DOMContentLoaded", () => {
  const select = document.querySelector("[data-case-types]");
  if (!select) return;
  const show = () => {
    for (const box of document.querySelectorAll("[data-case-type]")) {
      box.hidden = box.dataset.caseType !== select.value;
    }
  };
  select.addEventListener("change", show);
  show();
});
