// The hall display (templates/tickets/display.html): polls the JSON feed every data-poll-ms,
// redraws the calls and the waiting counts, announces a new call in the live region and plays a
// two-tone chime made with WebAudio (no sound file). Browsers allow sound only after a click, so
// the screen shows "Turn on the chime" until someone presses it (or Chromium runs with
// --autoplay-policy=no-user-gesture-required on the hall screen).
(function () {
  "use strict";
  var root = document.getElementById("hall-display");
  if (!root) return;
  var calls = document.getElementById("hall-calls");
  var waiting = document.getElementById("hall-waiting");
  var live = document.getElementById("hall-announce");
  var soundButton = document.getElementById("hall-sound");
  var pollMs = parseInt(root.dataset.pollMs, 10) || 2000;
  var audio = null;
  var seen = {};
  Array.prototype.forEach.call(calls.querySelectorAll("tr[data-id]"), function (row) {
    seen[row.dataset.id + "@" + row.dataset.announced] = true;
  });

  function chime() {
    if (!audio) return;
    [[880, 0], [660, 0.35]].forEach(function (tone) {
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      var at = audio.currentTime + tone[1];
      oscillator.frequency.value = tone[0];
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.4, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.6);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(at);
      oscillator.stop(at + 0.65);
    });
    root.dataset.chimes = String((parseInt(root.dataset.chimes, 10) || 0) + 1);
  }

  soundButton.addEventListener("click", function () {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    audio = audio || new Context();
    audio.resume();
    soundButton.setAttribute("aria-pressed", "true");
    soundButton.textContent = root.dataset.soundOn;
    chime();
  });

  function cell(text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function render(feed) {
    var fresh = [];
    var rows = feed.called.map(function (call) {
      var key = call.id + "@" + call.announced_at;
      if (!seen[key]) { seen[key] = true; fresh.push(call); }
      var tr = document.createElement("tr");
      tr.dataset.id = call.id;
      tr.dataset.announced = call.announced_at;
      tr.appendChild(cell(call.number, "hall-display__number"));
      tr.appendChild(cell("→ " + call.counter));
      return tr;
    });
    if (rows.length) calls.replaceChildren.apply(calls, rows);
    waiting.replaceChildren.apply(waiting, feed.waiting.map(function (row) {
      var li = document.createElement("li");
      var strong = document.createElement("strong");
      strong.textContent = row.letter;
      var count = document.createElement("span");
      count.textContent = row.waiting;
      li.append(strong, " " + row.name + ": ", count);
      return li;
    }));
    if (fresh.length) {
      var newest = fresh[0];
      live.textContent = root.dataset.announce.replace("{number}", newest.number).replace("{counter}", newest.counter);
      if (calls.firstChild) calls.firstChild.classList.add("hall-display__fresh");
      chime();
    }
  }

  function poll() {
    fetch(root.dataset.feed, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (feed) { if (feed) render(feed); })
      .catch(function () { /* the network is back at the next poll */ })
      .then(function () { window.setTimeout(poll, pollMs); });
  }
  window.setTimeout(poll, pollMs);
})();
