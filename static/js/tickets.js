// The kiosk's ticket page (templates/tickets/ticket.html): the Print button.
(function () {
  "use strict";
  var button = document.getElementById("ticket-print");
  if (button) button.addEventListener("click", function () { window.print(); });
})();
