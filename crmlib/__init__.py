"""crmlib: customer relationship management analytics on tidy pandas frames.

One module per idea: ``rfm``, ``value``, ``btyd`` (customer-base models), ``basket``,
``models``, ``evaluate``, ``segment``, ``campaign``, ``points`` (loyalty-programme points),
``recommend`` (collaborative filtering), ``pricing``, ``incentives`` (reward systems),
``sales`` (pipeline funnel and forecast), ``scorecard`` (the CRM Scorecard), ``service``
(service-level measures), ``voc``
(classifying and routing customers' messages), ``control`` (control charts), ``warehouse``,
``datasets``, ``plots``; ``intervals`` (Wilson's interval of a rate, used by every module
that reports one); ``validation`` holds the argument checks every public function uses. The course that teaches
with it (self-checks, notebook session, widgets, site build) is the separate ``crm_workbook``
package, which depends on crmlib and never the reverse.
"""

__version__ = "0.1.0"
