// The instrument calendar: FullCalendar (served from node_modules, no CDN) over the page's JSON feed.
// The instrument's zone is a named zone without a zone plugin, so FullCalendar works on its wall clock:
// the feed sends times without offset, and a selection is copied into the form the same way.
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // "2026-03-03T09:20" from FullCalendar's UTC-coerced date (its UTC fields are the wall clock).
  function wallClock(date) {
    return date.getUTCFullYear() + "-" + pad(date.getUTCMonth() + 1) + "-" + pad(date.getUTCDate()) +
      "T" + pad(date.getUTCHours()) + ":" + pad(date.getUTCMinutes());
  }

  // A FullCalendar duration ("01:30:00") for a number of minutes.
  function duration(minutes) {
    return pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60) + ":00";
  }

  function fillForm(start, end) {
    var form = document.getElementById("booking-form");
    if (!form) { return; }
    form.querySelector("[name=start]").value = wallClock(start);
    form.querySelector("[name=end]").value = wallClock(end);
    var mode = form.querySelector("[name=mode]");
    (mode || form.querySelector("[name=end]")).focus();
    form.scrollIntoView({ behavior: "smooth", block: "nearest" });
  }

  var MINUTE = 60000;

  // The free (bookable) background event that holds [start, end), if any.
  function freeAround(calendar, start, end) {
    var found = null;
    calendar.getEvents().forEach(function (ev) {
      if (ev.groupId === "free" && ev.start <= start && end <= ev.end) { found = ev; }
    });
    return found;
  }

  // Slots start at each opening, and every free interval starts on a slot boundary: snap a selection out
  // to whole slots of the interval that holds it, at least the shortest booking long, never past its end.
  function snapped(calendar, info, slotMinutes, minMinutes) {
    var free = freeAround(calendar, info.start, info.end);
    if (!free) { return null; }
    var slot = slotMinutes * MINUTE, origin = free.start.getTime();
    var start = origin + Math.floor((info.start.getTime() - origin) / slot) * slot;
    var end = origin + Math.ceil((info.end.getTime() - origin) / slot) * slot;
    var shortest = Math.ceil(minMinutes * MINUTE / slot) * slot;
    if (end - start < shortest) { end = start + shortest; }
    if (end > free.end.getTime()) { return null; }
    return { start: new Date(start), end: new Date(end) };
  }

  function start() {
    var el = document.getElementById("calendar");
    if (!el || !window.FullCalendar) { return; }
    var d = el.dataset;
    var narrow = window.matchMedia("(max-width: 640px)").matches;
    var slotMinutes = parseInt(d.slotMinutes, 10) || 30;
    var snapMinutes = parseInt(d.snapMinutes, 10) || slotMinutes;
    var minMinutes = parseInt(d.minMinutes, 10) || slotMinutes;
    var viewDate = document.getElementById("booking-view-date");
    var calendar = new FullCalendar.Calendar(el, {
      timeZone: d.timeZone,
      locale: d.locale,
      firstDay: 1,
      initialView: narrow && d.initialView === "timeGridWeek" ? "timeGridDay" : d.initialView,
      initialDate: d.initialDate || undefined,
      headerToolbar: narrow
        ? { left: "prev,next", center: "title", right: "timeGridDay,dayGridMonth" }
        : { left: "prev,next today", center: "title", right: "timeGridWeek,dayGridMonth,listWeek" },
      buttonText: { today: d.textToday, month: d.textMonth, week: d.textWeek, day: d.textDay, list: d.textList },
      allDayText: d.textAllDay,
      noEventsText: d.textNoEvents,
      allDaySlot: false,
      nowIndicator: true,
      height: "auto",
      slotDuration: duration(slotMinutes),
      snapDuration: duration(snapMinutes),
      slotLabelInterval: "01:00",
      scrollTime: d.opensAt || "08:00:00",
      // Only the hours the instrument is ever open (all day when it opens round the clock).
      slotMinTime: d.opensAt || "00:00:00",
      slotMaxTime: d.closesAt || "24:00:00",
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      selectable: d.selectable === "true",
      selectMirror: true,
      // Only inside free time; the booking service still decides (warm-up, quota, qualification …).
      selectConstraint: "free",
      selectAllow: function () { return calendar.view.type.indexOf("timeGrid") === 0; },
      select: function (info) {
        var slots = snapped(calendar, info, slotMinutes, minMinutes);
        if (!slots) { calendar.unselect(); return; }
        if (slots.start.getTime() !== info.start.getTime() || slots.end.getTime() !== info.end.getTime()) {
          calendar.select(slots.start, slots.end); // selects again, now on whole slots
          return;
        }
        fillForm(info.start, info.end);
      },
      // Keep the week on show in the form, so a refused booking reopens the calendar there.
      datesSet: function (info) {
        if (viewDate) { viewDate.value = wallClock(info.view.currentStart).slice(0, 10); }
      },
      dateClick: function (info) {
        if (info.view.type === "dayGridMonth") { calendar.changeView("timeGridDay", info.dateStr); }
      },
      events: { url: d.eventsUrl, failure: function () { el.setAttribute("data-error", d.textError); } },
      eventDidMount: function (info) {
        if (info.event.title) { info.el.setAttribute("title", info.event.title); }
      },
    });
    calendar.render();
    el.dayiCalendar = calendar; // for tests and the console
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
